//! Values written into PostgreSQL statements as literals, for a script of
//! several statements sent in one round trip (the simple query protocol
//! takes no bound values). Each literal is cast to the type its bound value
//! would have had, so a statement means the same either way.
//!
//! Text goes in an escape string (`E'…'`) with `\` and `'` doubled, which
//! reads the same whatever `standard_conforming_strings` is; a NUL, which
//! PostgreSQL text cannot hold (a bound value is refused too) and which
//! would end the query early on the server, is refused.

use super::Arg;

/// A text holding a NUL character, which no PostgreSQL text can hold.
#[derive(Debug, PartialEq, Eq)]
pub struct NulInText;

/// Appends `arg` to `out` as a literal of the type it binds as.
pub fn push_literal(out: &mut String, arg: &Arg) -> Result<(), NulInText> {
    match arg {
        Arg::Int(v) => typed(out, v.map(|i| i.to_string()).as_deref(), "int8"),
        Arg::Real(v) => typed(out, v.map(|f| format!("{f:?}")).as_deref(), "float8"),
        Arg::Text(v) => typed(out, v.as_deref(), "text"),
        Arg::Bytes(v) => {
            let hex = v.as_ref().map(|b| {
                let digits: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
                format!("\\x{digits}")
            });
            typed(out, hex.as_deref(), "bytea")
        }
        Arg::Texts(items) => {
            out.push_str("ARRAY[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quoted(out, item)?;
            }
            out.push_str("]::text[]");
            Ok(())
        }
    }
}

/// `value` (or NULL) as a string literal cast to `ty`.
fn typed(out: &mut String, value: Option<&str>, ty: &str) -> Result<(), NulInText> {
    match value {
        Some(v) => quoted(out, v)?,
        None => out.push_str("NULL"),
    }
    out.push_str("::");
    out.push_str(ty);
    Ok(())
}

fn quoted(out: &mut String, text: &str) -> Result<(), NulInText> {
    if text.contains('\0') {
        return Err(NulInText);
    }
    out.push_str("E'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(arg: Arg) -> Result<String, NulInText> {
        let mut out = String::new();
        push_literal(&mut out, &arg).map(|()| out)
    }

    #[test]
    fn each_value_is_cast_to_the_type_it_binds_as() {
        assert_eq!(literal(Arg::Int(Some(-42))).unwrap(), "E'-42'::int8");
        assert_eq!(
            literal(Arg::Int(Some(i64::MIN))).unwrap(),
            "E'-9223372036854775808'::int8"
        );
        assert_eq!(literal(Arg::Int(None)).unwrap(), "NULL::int8");
        assert_eq!(literal(Arg::Real(Some(0.1))).unwrap(), "E'0.1'::float8");
        assert_eq!(literal(Arg::Text(None)).unwrap(), "NULL::text");
        assert_eq!(
            literal(Arg::Bytes(Some(vec![0, 255]))).unwrap(),
            "E'\\\\x00ff'::bytea"
        );
        assert_eq!(literal(Arg::Texts(vec![])).unwrap(), "ARRAY[]::text[]");
        assert_eq!(
            literal(Arg::Texts(vec!["a".into(), "b'".into()])).unwrap(),
            "ARRAY[E'a', E'b''']::text[]"
        );
    }

    #[test]
    fn quotes_and_backslashes_stay_inside_the_string() {
        assert_eq!(
            literal(Arg::from("x'); DROP TABLE events; --\\")).unwrap(),
            "E'x''); DROP TABLE events; --\\\\'::text"
        );
    }

    #[test]
    fn a_nul_is_refused() {
        assert_eq!(literal(Arg::from("a\0b")), Err(NulInText));
        assert_eq!(literal(Arg::Texts(vec!["\0".into()])), Err(NulInText));
    }
}
