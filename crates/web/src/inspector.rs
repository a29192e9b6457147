//! The inspector as the template sees it: the backend's [`Inspection`] plus times in words.
//!
//! Data comes from the backend; this module only turns seconds into "in 14 min 48 s" and
//! "2026-11-25 19:40:12 UTC", so that the page reads well with JavaScript off. With it on,
//! `app.js` keeps the countdown live from the same `data-` attributes.

use authlab_core::{timing::Cost, Inspection};

pub struct InspectorView {
    pub inspection: Inspection,
    pub issued: Option<Moment>,
    pub expires: Option<Moment>,
    /// What authenticating this request cost, step by step (also in `Server-Timing`).
    pub costs: Vec<CostView>,
}

/// A point in time, for people.
pub struct Moment {
    pub unix: i64,
    pub utc: String,
    pub relative: String,
}

pub struct CostView {
    pub what: &'static str,
    pub micros: u128,
    pub millis: String,
}

impl InspectorView {
    pub fn new(inspection: Inspection, costs: &[Cost], now: i64) -> Self {
        let moment = |at: Option<i64>| at.map(|at| Moment::at(at, now));
        InspectorView {
            issued: moment(inspection.token.as_ref().and_then(|t| t.issued_at)),
            expires: moment(inspection.token.as_ref().and_then(|t| t.expires_at)),
            inspection,
            costs: costs
                .iter()
                .map(|cost| CostView {
                    what: cost.what,
                    micros: cost.micros(),
                    millis: cost.millis(),
                })
                .collect(),
        }
    }
}

impl Moment {
    pub fn at(unix: i64, now: i64) -> Self {
        let utc = time::OffsetDateTime::from_unix_timestamp(unix)
            .map(|t| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            })
            .unwrap_or_else(|_| unix.to_string());
        let delta = unix.saturating_sub(now);
        let relative = match delta {
            0 => "now".to_owned(),
            d if d > 0 => format!("in {}", duration_in_words(d.unsigned_abs())),
            d => format!("{} ago", duration_in_words(d.unsigned_abs())),
        };
        Moment {
            unix,
            utc,
            relative,
        }
    }
}

/// `3725` → `1 h 2 min 5 s`; the same words `app.js` uses.
pub fn duration_in_words(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_words() {
        assert_eq!(duration_in_words(5), "5 s");
        assert_eq!(duration_in_words(888), "14 min 48 s");
        assert_eq!(duration_in_words(3725), "1 h 2 min 5 s");

        let later = Moment::at(1_000_900, 1_000_000);
        let earlier = Moment::at(999_990, 1_000_000);

        assert_eq!(later.relative, "in 15 min 0 s");
        assert_eq!(earlier.relative, "10 s ago");
        assert_eq!(Moment::at(0, 0).utc, "1970-01-01 00:00:00 UTC");
    }
}
