//! Fractional-index rank keys: the order of issues in a column and in the
//! backlog. Moving an issue writes its own key only, never its neighbours'.
//!
//! A key is a sequence of signed integers, compared lexicographically, each
//! written as a self-delimiting token whose bytes sort like the integer: a
//! head character gives the sign and the digit count, then base-62 digits.
//! Because tokens are prefix-free, comparing the strings byte by byte (what
//! SQL's binary collation does) equals comparing the integer sequences.
//!
//! Inserting between `a` and `b` either picks an integer between them at the
//! first position where they differ, or goes one level deeper and steps by
//! one. A long run of inserts at one place therefore only increments or
//! decrements one integer, so keys grow logarithmically, not linearly as with
//! plain midpoints.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::ParseError;

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: i128 = 62;

/// The rank space between two neighbours is used up (never in practice:
/// keys grow a digit instead); `decide` reports it as a `DomainError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no more room in the rank space here")]
pub struct RankExhausted;

/// Digits needed for any i64 magnitude (62^11 > 2^63).
const MAX_DIGITS: u8 = 11;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rank(String);

impl Rank {
    /// The key for a single item in an empty list.
    pub fn initial() -> Self {
        Self::from_tokens(&[0])
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match decode(raw) {
            Some(tokens) if !tokens.is_empty() => Ok(Self(raw.to_owned())),
            _ => Err(ParseError::Rank(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key strictly between `lo` and `hi` (either may be open).
    pub fn between(lo: Option<&Rank>, hi: Option<&Rank>) -> Result<Rank, RankExhausted> {
        let lo_tokens = lo.map(|r| r.tokens());
        let hi_tokens = hi.map(|r| r.tokens());
        if let (Some(a), Some(b)) = (&lo_tokens, &hi_tokens)
            && a >= b
        {
            return Err(RankExhausted);
        }
        between(lo_tokens.as_deref(), hi_tokens.as_deref())
            .map(|t| Self::from_tokens(&t))
            .ok_or(RankExhausted)
    }

    /// A key strictly between `lo` and `hi` that no key in `taken` equals.
    /// Two writers placing an item at the same spot compute the same key;
    /// the later one is moved just after it, still before `hi`.
    pub fn between_free<'a>(
        lo: Option<&Rank>,
        hi: Option<&Rank>,
        taken: impl Iterator<Item = &'a Rank> + Clone,
    ) -> Result<Rank, RankExhausted> {
        let key = Self::between(lo, hi)?;
        if !taken.clone().any(|r| *r == key) {
            return Ok(key);
        }
        // The next taken key above `key` bounds a gap that holds no taken key.
        let next_taken = taken.filter(|r| **r > key).min();
        let upper = match (next_taken, hi) {
            (Some(n), Some(h)) => Some(n.min(h)),
            (n, h) => n.or(h),
        };
        Self::between(Some(&key), upper)
    }

    fn tokens(&self) -> Vec<i64> {
        decode(&self.0).unwrap_or_default()
    }

    fn from_tokens(tokens: &[i64]) -> Self {
        let mut s = String::new();
        for &t in tokens {
            encode_token(t, &mut s);
        }
        Self(s)
    }
}

impl fmt::Display for Rank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Rank {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Rank {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Rank::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A sequence strictly greater than `a` (and than every extension of it).
fn after(a: &[i64]) -> Vec<i64> {
    match a.split_first() {
        None => vec![0],
        Some((&first, _)) if first < i64::MAX => vec![first + 1],
        Some((&first, rest)) => [vec![first], after(rest)].concat(),
    }
}

/// A sequence strictly smaller than `b` (non-empty `b`), if one exists.
fn before(b: &[i64]) -> Option<Vec<i64>> {
    let (&first, rest) = b.split_first()?;
    if first > i64::MIN {
        Some(vec![first - 1])
    } else {
        before(rest).map(|tail| [vec![first], tail].concat())
    }
}

fn between(a: Option<&[i64]>, b: Option<&[i64]>) -> Option<Vec<i64>> {
    match (a, b) {
        (None, None) => Some(vec![0]),
        (Some(a), None) => Some(after(a)),
        (None, Some(b)) => before(b),
        (Some(a), Some(b)) => {
            let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            if p == a.len() {
                // `a` is a prefix of `b`: go below b's next token, under a's prefix.
                return before(&b[p..]).map(|tail| [a, &tail].concat());
            }
            let (lo, hi) = (a[p] as i128, b[p] as i128);
            if hi - lo >= 2 {
                let mid = (lo + (hi - lo) / 2) as i64;
                Some([&a[..p], &[mid][..]].concat())
            } else {
                Some([&a[..=p], &after(&a[p + 1..])[..]].concat())
            }
        }
    }
}

fn encode_token(n: i64, out: &mut String) {
    let (head, width, body) = if n >= 0 {
        let width = digits_for(n as i128 + 1);
        (b'a' + width - 1, width, n as i128)
    } else {
        let magnitude = -(n as i128);
        let width = digits_for(magnitude);
        (b'Z' + 1 - width, width, BASE.pow(width as u32) - magnitude)
    };
    out.push(head as char);
    let mut buf = [b'0'; MAX_DIGITS as usize];
    let mut rest = body;
    for i in (0..width as usize).rev() {
        buf[i] = DIGITS[(rest % BASE) as usize];
        rest /= BASE;
    }
    out.push_str(std::str::from_utf8(&buf[..width as usize]).unwrap_or("0"));
}

/// The fewest base-62 digits `w` with 62^w >= `count` (at least 1).
fn digits_for(count: i128) -> u8 {
    let mut width = 1;
    while BASE.pow(width as u32) < count {
        width += 1;
    }
    width
}

/// Decodes a key, accepting only the canonical (shortest) encoding so that
/// equal sequences always have equal strings.
fn decode(raw: &str) -> Option<Vec<i64>> {
    let bytes = raw.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let head = bytes[i];
        let (negative, width) = match head {
            b'a'..=b'z' if head - b'a' < MAX_DIGITS => (false, head - b'a' + 1),
            b'A'..=b'Z' if b'Z' - head < MAX_DIGITS => (true, b'Z' - head + 1),
            _ => return None,
        };
        let digits = bytes.get(i + 1..i + 1 + width as usize)?;
        let mut body: i128 = 0;
        for &d in digits {
            let v = DIGITS.iter().position(|&c| c == d)? as i128;
            body = body * BASE + v;
        }
        let value = if negative {
            body - BASE.pow(width as u32)
        } else {
            body
        };
        let n = i64::try_from(value).ok()?;
        let canonical_width = if negative {
            digits_for(-(n as i128))
        } else {
            digits_for(n as i128 + 1)
        };
        if canonical_width != width {
            return None;
        }
        tokens.push(n);
        i += 1 + width as usize;
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(tokens: &[i64]) -> Rank {
        Rank::from_tokens(tokens)
    }

    #[test]
    fn tokens_round_trip_and_sort_like_integers() {
        let samples = [
            i64::MIN,
            -3845,
            -3844,
            -63,
            -62,
            -1,
            0,
            1,
            61,
            62,
            3843,
            3844,
            i64::MAX,
        ];
        let encoded: Vec<Rank> = samples.iter().map(|&n| key(&[n])).collect();
        for (n, r) in samples.iter().zip(&encoded) {
            assert_eq!(decode(r.as_str()), Some(vec![*n]), "{n} -> {r}");
        }
        assert!(encoded.windows(2).all(|w| w[0] < w[1]), "{encoded:?}");
    }

    #[test]
    fn parse_rejects_garbage_and_non_canonical_keys() {
        for bad in [
            "",
            "!",
            "a",
            "b0",
            "b01",
            "Yzz",
            "Z",
            "a0 ",
            "l000000000000",
        ] {
            assert!(Rank::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(Rank::parse("a0").is_ok());
        assert!(Rank::parse("a5Zz").is_ok());
    }

    #[test]
    fn reversed_bounds_are_an_error() {
        let (a, b) = (key(&[1]), key(&[2]));
        assert_eq!(Rank::between(Some(&b), Some(&a)), Err(RankExhausted));
        assert_eq!(Rank::between(Some(&a), Some(&a)), Err(RankExhausted));
    }

    #[test]
    fn a_taken_key_is_bumped_into_the_free_gap_above_it() {
        let (lo, hi) = (key(&[1]), key(&[2]));
        let first = Rank::between(Some(&lo), Some(&hi)).unwrap();
        let taken = [lo.clone(), first.clone(), hi.clone()];
        let second = Rank::between_free(Some(&lo), Some(&hi), taken.iter()).unwrap();
        assert_ne!(first, second);
        assert!(lo < first && first < second && second < hi);
    }

    /// Length of the longest key after `n` inserts into the list `[0], [1]`,
    /// each placed by `place` given the keys so far and the previous insert.
    fn longest_after(
        n: usize,
        place: impl Fn(&[Rank], &Rank) -> (Option<Rank>, Option<Rank>),
    ) -> usize {
        let mut keys = vec![key(&[0]), key(&[1])];
        let mut last = key(&[0]);
        for _ in 0..n {
            let (lo, hi) = place(&keys, &last);
            let k = Rank::between(lo.as_ref(), hi.as_ref()).unwrap();
            assert!(lo.is_none_or(|lo| lo < k) && hi.is_none_or(|hi| k < hi));
            let at = keys.partition_point(|r| *r < k);
            keys.insert(at, k.clone());
            last = k;
        }
        keys.iter().map(|k| k.as_str().len()).max().unwrap()
    }

    #[test]
    fn long_runs_at_one_place_keep_keys_short() {
        let n = 10_000;
        let next = |keys: &[Rank], r: &Rank| keys.iter().find(|k| *k > r).cloned();
        let prev = |keys: &[Rank], r: &Rank| keys.iter().rev().find(|k| *k < r).cloned();
        let (anchor, end) = (key(&[0]), key(&[1]));
        type Place<'a> = Box<dyn Fn(&[Rank], &Rank) -> (Option<Rank>, Option<Rank>) + 'a>;
        let runs: [(&str, Place); 5] = [
            ("append", Box::new(|k, _| (k.last().cloned(), None))),
            ("prepend", Box::new(|k, _| (None, k.first().cloned()))),
            (
                "right after a fixed key",
                Box::new(|k, _| (Some(anchor.clone()), next(k, &anchor))),
            ),
            (
                "right after the previous insert",
                Box::new(|k, last| (Some(last.clone()), next(k, last))),
            ),
            (
                "right before a fixed key",
                Box::new(|k, _| (prev(k, &end), Some(end.clone()))),
            ),
        ];
        for (name, place) in runs {
            let longest = longest_after(n, place);
            // Two levels of two-to-four characters each.
            assert!(
                longest <= 8,
                "{name}: {longest} characters after {n} inserts"
            );
        }
    }

    fn arb_rank() -> impl Strategy<Value = Rank> {
        prop::collection::vec(prop_oneof![-70i64..70, any::<i64>()], 1..5).prop_map(|t| key(&t))
    }

    proptest! {
        #[test]
        fn between_is_strictly_between(a in arb_rank(), b in arb_rank()) {
            prop_assume!(a != b);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            if let Ok(k) = Rank::between(Some(&lo), Some(&hi)) {
                prop_assert!(lo < k && k < hi, "{} < {} < {}", lo, k, hi);
                prop_assert!(Rank::parse(k.as_str()).is_ok());
            } else {
                // Only a prefix followed by i64::MIN has nothing below it.
                prop_assert!(hi.tokens().contains(&i64::MIN));
            }
        }

        #[test]
        fn open_ends_extend_the_order(a in arb_rank()) {
            let up = Rank::between(Some(&a), None).unwrap();
            prop_assert!(a < up);
            if let Ok(down) = Rank::between(None, Some(&a)) {
                prop_assert!(down < a);
            }
        }

        #[test]
        fn string_order_equals_token_order(a in arb_rank(), b in arb_rank()) {
            prop_assert_eq!(a.cmp(&b), a.tokens().cmp(&b.tokens()));
        }

        #[test]
        fn random_inserts_keep_the_intended_order(spots in prop::collection::vec(any::<prop::sample::Index>(), 1..300)) {
            let mut keys: Vec<Rank> = Vec::new();
            for spot in spots {
                let at = spot.index(keys.len() + 1);
                let lo = at.checked_sub(1).map(|i| &keys[i]);
                let hi = keys.get(at);
                let k = Rank::between(lo, hi).unwrap();
                keys.insert(at, k);
            }
            prop_assert!(keys.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
