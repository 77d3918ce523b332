//! Per-project activity: how many events each project logged per (UTC) day.

use kanri_domain::Recorded;
use std::collections::BTreeMap;

use super::Subscriber;
use crate::db::Sql;

pub struct ActivityCounts;

impl Subscriber for ActivityCounts {
    fn name(&self) -> &'static str {
        "activity_counts"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["project_activity"]
    }

    fn handle(&self, batch: &[Recorded], sql: &mut Sql) {
        let mut counts: BTreeMap<(&str, String), i64> = BTreeMap::new();
        for r in batch {
            *counts
                .entry((r.project.as_str(), utc_day(r.at_ms)))
                .or_default() += 1;
        }
        for ((project, day), n) in counts {
            sql.push("INSERT INTO project_activity (project, day, events) VALUES (")
                .push_bind(project)
                .push(", ")
                .push_bind(day)
                .push(", ")
                .push_bind(n)
                .push(
                    ") ON CONFLICT (project, day) \
                     DO UPDATE SET events = project_activity.events + excluded.events",
                )
                .end();
        }
    }
}

/// The UTC calendar day of a Unix time in milliseconds, as `YYYY-MM-DD`.
pub fn utc_day(at_ms: i64) -> String {
    kanri_domain::Date::from_unix_ms(at_ms).to_string()
}

#[cfg(test)]
mod tests {
    use super::utc_day;

    #[test]
    fn utc_days_match_the_calendar() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(1_795_305_599_999), "2026-11-21");
        assert_eq!(utc_day(1_795_305_600_000), "2026-11-22");
        // Kanri's times start in 1970 (UtcTime's range): earlier clamps, never panics.
        assert_eq!(utc_day(-1), "1970-01-01");
        assert_eq!(utc_day(i64::MIN), "1970-01-01");
        assert_eq!(utc_day(i64::MAX), "9999-12-31");
    }
}
