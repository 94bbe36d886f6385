//! Time zones: the account's and the business hours' must be names of the IANA tz database
//! (`America/Guayaquil`), or the platform refuses them when the plan is applied.

use super::Finding;
use crate::manifest::diagnostic::Problem;
use crate::manifest::model::Manifest;
use crate::manifest::suggest;

/// Every zone and link name of the tz database, sorted; `scripts/generate-timezones.sh`
/// writes it.
const NAMES: &str = include_str!("../timezones.txt");

pub(super) fn check(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let hours = manifest.messaging.as_ref().and_then(|m| m.business_hours.as_ref());
    let places = [
        ("/account/timezone", manifest.account.timezone.as_deref()),
        ("/messaging/business_hours/timezone", hours.and_then(|h| h.timezone.as_deref())),
    ];
    for (pointer, zone) in places {
        let Some(zone) = zone else { continue };
        if is_known(zone) {
            continue;
        }
        let help = match suggest::closest(zone, NAMES.lines()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "use a name of the tz database, such as `America/Guayaquil`".to_owned(),
        };
        let problem = Problem::UnknownTimezone { zone: zone.to_owned(), help };
        findings.push(Finding::new(pointer.to_owned(), problem, "not a time zone"));
    }
}

fn is_known(zone: &str) -> bool {
    NAMES.lines().any(|name| name == zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_the_tz_databases() {
        assert!(is_known("America/Guayaquil"));
        assert!(is_known("UTC"));
        assert!(!is_known("America/Quitoo"));
        assert!(!is_known("america/guayaquil"), "names are case-sensitive");
        let names: Vec<&str> = NAMES.lines().collect();
        assert!(names.len() > 400 && names.is_sorted(), "{} names", names.len());
    }
}
