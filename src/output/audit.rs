//! The audit trail of a run: which tally, which rules (the pack's name and content hash) and
//! when, so that a bureau can tie a rejection to the rule set in force. JSON, the JSONL
//! summary record, SARIF (`invocations`, `tool.driver`) and HTML carry it.

use crate::severity::Severity;
use serde::Serialize;

/// What produced a run's results.
#[derive(Clone, Debug, Serialize)]
pub struct Audit {
    /// tally's version.
    pub tally: &'static str,
    /// The pack: its name (the packs loaded, base first, joined by ` + `) and hash.
    pub pack: PackId,
    /// Rules in the pack (after manifests).
    pub rules: usize,
    /// The `--fail-on` threshold the exit code was decided by.
    pub fail_on: Severity,
    /// When the run started, UTC, RFC 3339 (`SOURCE_DATE_EPOCH`, when set, stands for now,
    /// for reproducible reports).
    pub time: String,
}

/// A pack, named and hashed.
#[derive(Clone, Debug, Serialize)]
pub struct PackId {
    /// The packs loaded, base first.
    pub name: String,
    /// SHA-256 of its rule files, `pack.toml` and `layout.yaml` (`tally rules --hash`).
    pub sha256: String,
}

impl Audit {
    /// The audit record of a run of `pack` starting now.
    pub fn new(pack: &crate::rules::pack::Pack, fail_on: Severity) -> Audit {
        Audit {
            tally: env!("CARGO_PKG_VERSION"),
            pack: PackId {
                name: pack.names.join(" + "),
                sha256: pack.hash.clone(),
            },
            rules: pack.rules.rules.len(),
            fail_on,
            time: rfc3339(now()),
        }
    }
}

impl Default for Audit {
    fn default() -> Audit {
        Audit {
            tally: env!("CARGO_PKG_VERSION"),
            pack: PackId {
                name: String::new(),
                sha256: String::new(),
            },
            rules: 0,
            fail_on: Severity::Error,
            time: rfc3339(0),
        }
    }
}

/// Seconds since 1970, or `SOURCE_DATE_EPOCH`.
fn now() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        })
}

/// `2026-12-03T09:02:41Z` (Howard Hinnant's days-to-civil).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_288_561), "2026-12-03T09:02:41Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
