//! Hostile queries: nesting is bounded with a clear error, and what parses
//! is evaluated on a small stack.

use proptest::prelude::*;

use super::{Expr, MAX_NESTING, MAX_QUERY_CHARS, Query};
use crate::tests::{project_with_issues, user};

/// Runs `f` on a thread with a 256 KiB stack, where a recursion that input
/// deepens overflows long before it would on a worker's 2 MiB.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the thread ends without a panic")
}

/// How deep the tree of `e` is (counted without recursing).
fn depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut open = vec![(e, 1)];
    while let Some((e, d)) = open.pop() {
        deepest = deepest.max(d);
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => open.extend([(&**a, d + 1), (&**b, d + 1)]),
            Expr::Not(a) => open.push((&**a, d + 1)),
            _ => {}
        }
    }
    deepest
}

/// Parses `q` and runs it on a project of three issues, on a small stack.
fn parse_and_run(q: String) -> Result<(usize, usize), super::QueryError> {
    on_small_stack(move || {
        let query = Query::parse(&q)?;
        let state = project_with_issues(3);
        let hits = query.run(&state, &user("alice")).len();
        Ok((hits, query.filter.as_ref().map_or(0, depth)))
    })
}

fn nested(opener: &str, levels: usize, closer: &str) -> String {
    format!(
        "{}status = Done{}",
        opener.repeat(levels),
        closer.repeat(levels)
    )
}

#[test]
fn nesting_up_to_the_limit_parses_and_deeper_is_a_clear_error() {
    assert_eq!(
        parse_and_run(nested("(", MAX_NESTING, ")")).unwrap().0,
        0,
        "nothing is Done"
    );
    assert_eq!(parse_and_run(nested("NOT ", MAX_NESTING, "")).unwrap().0, 0);
    let message =
        format!("nested too deeply (at most {MAX_NESTING} levels of parentheses and NOT)");
    for q in [
        nested("(", MAX_NESTING + 1, ")"),
        nested("NOT ", MAX_NESTING + 1, ""),
        nested("(NOT ", MAX_NESTING, ")"),
        // As deep as the length limit allows, unbalanced too.
        "(".repeat(MAX_QUERY_CHARS),
        nested("(", 900, ")"),
    ] {
        let e = parse_and_run(q.clone()).expect_err(&q);
        assert_eq!(e.message, message, "{q}");
    }
    // The opener that goes one level too deep is the column shown.
    let e = parse_and_run(nested("(", MAX_NESTING + 1, ")")).unwrap_err();
    assert_eq!(e.column, MAX_NESTING + 1);
}

#[test]
fn a_hundred_thousand_parentheses_are_refused_without_recursing() {
    for q in [
        nested("(", 100_000, ")"),
        nested("NOT ", 100_000, ""),
        "(".repeat(100_000),
    ] {
        let e = parse_and_run(q).unwrap_err();
        assert_eq!(
            e.message,
            format!("a query is at most {MAX_QUERY_CHARS} characters")
        );
    }
}

#[test]
fn long_chains_of_and_or_make_shallow_trees_with_the_same_answers() {
    let clause = "status = Done";
    let fits = (MAX_QUERY_CHARS - clause.len()) / (clause.len() + 4) + 1;
    let all_or = vec![clause; fits].join(" OR ");
    assert!(all_or.chars().count() <= MAX_QUERY_CHARS);
    let (hits, depth) = parse_and_run(all_or).unwrap();
    assert_eq!(hits, 0);
    assert!(depth <= 10, "{fits} clauses, {depth} deep");
    // Mixed chains keep precedence: AND binds tighter than OR.
    let (hits, _) = parse_and_run(
        "status = Done AND key = ABC-1 OR key = ABC-2 OR key = ABC-3 AND status != Done".into(),
    )
    .unwrap();
    assert_eq!(hits, 2, "ABC-2 and ABC-3");
    let (hits, _) = parse_and_run(
        "key = ABC-1 AND key = ABC-1 AND key = ABC-1 AND key = ABC-1 AND key = ABC-1".into(),
    )
    .unwrap();
    assert_eq!(hits, 1);
}

/// Fragments a hostile query is made of.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "(",
            ")",
            "NOT ",
            " AND ",
            " OR ",
            "status = Done",
            "key = ABC-1",
            "(((",
            ")))",
            "NOT NOT ",
            ",",
            "IN (",
            "\"",
            "points > 1",
        ][..],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_query_parses_or_errors_on_a_small_stack(
        parts in prop::collection::vec(fragment(), 0..600),
    ) {
        let q: String = parts.concat();
        if let Ok((_, depth)) = parse_and_run(q.clone()) {
            // NOT and parentheses are bounded, and the chains within each are balanced.
            prop_assert!(depth <= MAX_NESTING * 12, "{q}: {depth}");
        }
    }
}
