//! The bodies the fuzzer sends: a seeded generator, the field names and
//! values of the server functions, and hostile values and raw pieces.

/// xorshift64*: seeded and repeatable, so a failure can be replayed.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(super) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Every argument name the server functions take (a function ignores the
/// ones that are not its own).
pub(super) const NAMES: &[&str] = &[
    "project",
    "key",
    "issue",
    "version",
    "name",
    "title",
    "field",
    "value",
    "command",
    "body",
    "comment",
    "worklog",
    "watch",
    "kind",
    "target",
    "stored_on",
    "parent",
    "epic",
    "q",
    "query",
    "login",
    "user",
    "role",
    "sprint",
    "start",
    "end",
    "open_to",
    "issues[0]",
    "after",
    "status",
    "label",
    "category",
    "wip_limit",
    "hours_per_day",
    "days_per_week",
    "url",
    "events",
    "id",
    "expires",
    "at",
    "token",
    "from",
    "to",
    "work[spent]",
    "work[started]",
    "work[comment]",
    "work[remaining]",
    "work[remaining_by]",
];

/// Values a form could send for some field of this project.
pub(super) const PLAUSIBLE: &[&str] = &[
    "ABC",
    "ABC-1",
    "0",
    "1",
    "2",
    "3",
    "true",
    "false",
    "A title",
    "In Progress",
    "done",
    "2026-11-21",
    "2026-11-30",
    "2026-11-21 09:30",
    "1h 30m",
    "auto",
    "set",
    "manual",
    "member",
    "admin",
    "bob",
    "status = Done",
    "blocks",
    "points",
    "original_estimate",
    "sprint",
    "http://127.0.0.1:9/hook",
];

/// A value of the type and shape the field `name` takes in the server
/// functions, so a body decodes and reaches the function's own checks.
pub(super) fn plausible_for(name: &str, rng: &mut Rng) -> String {
    let pick = |rng: &mut Rng, items: &[&str]| rng.pick(items).to_owned();
    match name {
        "project" | "key" => pick(rng, &["ABC", "ABC", "ZZZ"]),
        "issue" | "target" | "parent" => pick(rng, &["ABC-1", "ABC-2", "ABC-9"]),
        "version" | "at" | "after" | "id" | "sprint" | "wip_limit" => {
            pick(rng, &["0", "1", "2", "3", "40"])
        }
        "watch" | "epic" => pick(rng, &["true", "false"]),
        "role" => pick(rng, &["viewer", "member", "admin"]),
        "login" | "user" => pick(rng, &["bob", "alice", "nobody"]),
        "start" | "end" | "open_to" | "expires" | "from" | "to" | "stored_on" => {
            pick(rng, &["2026-11-21", "2026-11-30", ""])
        }
        "work[spent]" | "work[remaining]" => pick(rng, &["1h 30m", "2d", "0m"]),
        "work[started]" => pick(rng, &["2026-11-21 09:30", "2026-11-21"]),
        // A command id, as the browser sends with every write.
        "command" => uuid::Uuid::from_u64_pair(rng.next(), rng.next()).to_string(),
        _ => rng.pick(PLAUSIBLE).to_owned(),
    }
}

/// Values out of every range, of the wrong type, or hostile.
pub(super) const HOSTILE: &[&str] = &[
    "",
    " ",
    "-1",
    "-0",
    "4294967296",
    "18446744073709551616",
    "-9223372036854775809",
    "9223372036854775807",
    "-9223372036854775808",
    "340282366920938463463374607431768211456",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e-308",
    "0x10",
    "1.5",
    "99999999h",
    "10001h",
    "4294967295m",
    "0000-01-01",
    "1969-12-31",
    "9999-12-31 23:59",
    "99999-01-01",
    "2026-02-30",
    "ABC-0",
    "ABC-4294967296",
    "ZZZ-1",
    "abc",
    "\u{0}",
    "a\u{7}b\u{1b}[31m",
    "日本語 🦀",
    "'; DROP TABLE events; --",
    "<script>alert(1)</script>",
    "null",
    "[]",
    "{}",
    "true",
];

/// Pieces pasted into a body as they are, unencoded.
pub(super) const RAW: &[&str] = &[
    "%ZZ",
    "%FF%FE%FD",
    "%C3%28",
    "%",
    "%%",
    "%0",
    "+++",
    "&&&",
    "==",
    "a=b=c",
    "%00",
    "[",
    "]]",
];

pub(super) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn hostile_value(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "a".repeat(100 * 1024),
        1 => format!("{}", rng.next()),
        2 => format!("-{}", rng.next()),
        3 => format!("{}.{}e{}", rng.next(), rng.next() % 10, rng.below(700)),
        _ => rng.pick(HOSTILE).to_owned(),
    }
}

pub(super) fn hostile_name(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("a{}", "[b]".repeat(1 + rng.below(400))),
        1 => format!("work{}", "[spent]".repeat(2 + rng.below(50))),
        2 => format!("issues[{}]", rng.next()),
        3 => "issues[-1]".to_owned(),
        4 => format!("unknown_{}", rng.below(1000)),
        5 => rng
            .pick(&["[]", "[", "]", "][", "work[", "work]", "work[]", "="])
            .to_owned(),
        6 => "x".repeat(10 * 1024),
        _ => rng.pick(NAMES).to_owned(),
    }
}

/// One form body (possibly not valid UTF-8 once decoded).
pub(super) fn form_body(rng: &mut Rng) -> Vec<u8> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mode = rng.below(4);
    match mode {
        // Every field present and plausible, at most one of them hostile:
        // most such bodies decode, so each function's own parsing and
        // checks run (a hostile value in any field would stop nearly every
        // body at decoding).
        0 | 1 => {
            let hostile = (mode == 1).then(|| rng.below(NAMES.len()));
            for (i, name) in NAMES.iter().enumerate() {
                let value = if hostile == Some(i) {
                    hostile_value(rng)
                } else {
                    plausible_for(name, rng)
                };
                pairs.push(((*name).to_owned(), value));
            }
        }
        // Some fields, some missing, any values.
        2 => {
            for name in NAMES {
                if rng.chance(40) {
                    let value = if rng.chance(50) {
                        hostile_value(rng)
                    } else {
                        rng.pick(PLAUSIBLE).to_owned()
                    };
                    pairs.push(((*name).to_owned(), value));
                }
            }
        }
        // Odd names.
        _ => {
            for _ in 0..1 + rng.below(6) {
                pairs.push((hostile_name(rng), hostile_value(rng)));
            }
        }
    }
    // The well-formed bodies stay well-formed; the others also repeat keys
    // and carry raw pieces that are not form encoding.
    let malformed = mode >= 2;
    for _ in 0..if malformed { rng.below(3) } else { 0 } {
        if !pairs.is_empty() {
            let (name, _) = pairs[rng.below(pairs.len())].clone();
            pairs.push((name, hostile_value(rng)));
        }
    }
    let mut body: Vec<u8> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    if malformed && rng.chance(20) {
        let at = rng.below(body.len() + 1);
        let piece = rng.pick(RAW).as_bytes().to_vec();
        body.splice(at..at, piece);
    }
    if malformed && rng.chance(5) {
        // Bytes that are not text at all.
        body.extend((0..rng.below(64)).map(|_| rng.next() as u8));
    }
    body
}

/// A JSON body for a function that takes JSON: commands with extreme numbers.
pub(super) fn json_body(rng: &mut Rng) -> Vec<u8> {
    let numbers = [
        "-1",
        "0",
        "1",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "1e400",
        "1.5",
        "NaN",
        "null",
        "\"1\"",
    ];
    let mut n = || numbers[rng.below(numbers.len())];
    let commands = [
        format!(
            r#"{{"type":"log_work","issue":{},"author":"x","started":{},"spent":{},"comment":"","remaining":{{"mode":"set","by":{}}}}}"#,
            n(),
            n(),
            n(),
            n()
        ),
        format!(
            r#"{{"type":"update_issue","issue":{},"patch":{{"original_estimate":{},"remaining_estimate":{},"points":{}}}}}"#,
            n(),
            n(),
            n(),
            n()
        ),
        format!(
            r#"{{"type":"create_issue","title":"T","issue_type":"task","priority":"medium","reporter":"x","original_estimate":{},"points":{},"sprint":{},"parent":{},"status":{}}}"#,
            n(),
            n(),
            n(),
            n(),
            n()
        ),
        format!(
            r#"{{"type":"set_wip_limit","status":{},"limit":{}}}"#,
            n(),
            n()
        ),
        format!(
            r#"{{"type":"start_sprint","sprint":{},"start":"0000-01-01","end":"9999-12-31"}}"#,
            n()
        ),
        format!(
            r#"{{"type":"move_issue","issue":{},"to":{},"after":{}}}"#,
            n(),
            n(),
            n()
        ),
        format!(
            r#"{{"type":"configure_time_tracking","calendar":{{"hours_per_day":{},"days_per_week":{}}}}}"#,
            n(),
            n()
        ),
        format!(
            r#"{{"type":"delete_worklog","issue":{},"worklog":{},"remaining":{{"mode":"manual","by":{}}}}}"#,
            n(),
            n(),
            n()
        ),
    ];
    let base = n();
    let command = &commands[rng.below(commands.len())];
    let id = format!(
        "{:032x}",
        u128::from(rng.next()) << 64 | u128::from(rng.next())
    );
    let id = format!(
        "{}-{}-4{}-8{}-{}",
        &id[..8],
        &id[8..12],
        &id[13..16],
        &id[17..20],
        &id[20..]
    );
    let project = if rng.chance(80) { "ABC" } else { "QQQQQQ" };
    match rng.below(6) {
        0 => "[".repeat(5_000).into_bytes(),
        1 => format!(r#"{{"envelope":{{"id":"{id}","project":"{project}","base_version":{base},"command":{{"type":"rename_project","name":"{}"}}}}}}"#, "n".repeat(100 * 1024)).into_bytes(),
        _ => format!(
            r#"{{"envelope":{{"id":"{id}","project":"{project}","base_version":{base},"command":{command}}}}}"#
        )
        .into_bytes(),
    }
}
