//! Balance settings: the low-balance alert and automatic top-up, compared in cents. A
//! change that lets the account spend more (top-up turned on, a larger top-up, a higher or
//! removed monthly cap) is a spend change.

use serde_json::{Map, Value, json};

use crate::manifest::model::{AutoRecharge, Balance, LowBalanceAlert, Manifest};
use crate::state::{self, LiveState};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, cents, same_names_folded};
use super::manual;

const KEY: &str = "balance";

/// Appends the balance change, if any, to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(balance) = &manifest.balance else { return };
    let Some(settings) = &live.balance else {
        out.push(manual::change(ObjectKind::Balance, KEY, desired(balance)));
        return;
    };

    let mut fields = Fields::default();
    let mut body = Map::new();
    let same_currency = settings.currency.trim().eq_ignore_ascii_case(balance.currency.trim());
    fields.compare("currency", &settings.currency, &balance.currency, same_currency);
    if !same_currency {
        body.insert("currency".into(), json!(balance.currency.trim()));
    }
    if let Some(alert) = &balance.low_balance_alert {
        let alert_fields = compare_alert(settings.low_balance_alert.as_ref(), alert);
        if !alert_fields.is_empty() {
            body.insert("low_balance_alert".into(), json!(alert));
            fields.changes.extend(alert_fields.changes);
        }
    }
    let mut spend = false;
    if let Some(recharge) = &balance.auto_recharge {
        let recharge_fields = compare_recharge(&settings.auto_recharge, recharge);
        if !recharge_fields.is_empty() {
            body.insert("auto_recharge".into(), json!(recharge));
            fields.changes.extend(recharge_fields.changes);
            spend = raises_spending(&settings.auto_recharge, recharge);
        }
    }
    if fields.is_empty() {
        return;
    }

    let mut change = Change::new(ObjectKind::Balance, Action::Update, KEY);
    change.target = Some(Target { id: KEY.to_owned(), version: settings.version });
    change.body = Some(Value::Object(body));
    change.fields = fields.changes;
    change.spend = spend;
    change.reason = if spend {
        "differs from the manifest, and lets the account spend more".to_owned()
    } else {
        "differs from the manifest".to_owned()
    };
    out.push(change);
}

fn desired(balance: &Balance) -> Value {
    let mut body = Map::new();
    body.insert("currency".into(), json!(balance.currency.trim()));
    if let Some(alert) = &balance.low_balance_alert {
        body.insert("low_balance_alert".into(), json!(alert));
    }
    if let Some(recharge) = &balance.auto_recharge {
        body.insert("auto_recharge".into(), json!(recharge));
    }
    Value::Object(body)
}

fn compare_alert(live: Option<&state::LowBalanceAlert>, alert: &LowBalanceAlert) -> Fields {
    let mut fields = Fields::default();
    let Some(live) = live else {
        fields.compare("low_balance_alert", &Value::Null, &json!(alert), false);
        return fields;
    };
    let same_below = cents(live.below) == cents(alert.below);
    fields.compare("low_balance_alert.below", &live.below, &alert.below, same_below);
    let same_notify = same_names_folded(&live.notify, &alert.notify);
    fields.compare("low_balance_alert.notify", &live.notify, &alert.notify, same_notify);
    fields
}

fn compare_recharge(live: &state::AutoRecharge, recharge: &AutoRecharge) -> Fields {
    let mut fields = Fields::default();
    let same_enabled = live.enabled == recharge.enabled;
    fields.compare("auto_recharge.enabled", &live.enabled, &recharge.enabled, same_enabled);
    let same_when = cents(live.when_below) == cents(recharge.when_below);
    let path = "auto_recharge.when_below";
    fields.compare(path, &live.when_below, &recharge.when_below, same_when);
    let same_amount = cents(live.amount) == cents(recharge.amount);
    fields.compare("auto_recharge.amount", &live.amount, &recharge.amount, same_amount);
    let same_cap = live.monthly_cap.map(cents) == recharge.monthly_cap.map(cents);
    let path = "auto_recharge.monthly_cap";
    fields.compare(path, &live.monthly_cap, &recharge.monthly_cap, same_cap);
    fields
}

/// Whether the new top-up policy can take more money than the live one. A missing cap is
/// no cap at all, the most spending there is.
pub(crate) fn raises_spending(live: &state::AutoRecharge, recharge: &AutoRecharge) -> bool {
    if !recharge.enabled {
        return false;
    }
    if !live.enabled {
        return true;
    }
    let higher_amount = cents(recharge.amount) > cents(live.amount);
    let higher_cap = match (live.monthly_cap, recharge.monthly_cap) {
        (Some(before), Some(after)) => cents(after) > cents(before),
        (Some(_), None) => true,
        (None, _) => false,
    };
    higher_amount || higher_cap
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recharge(enabled: bool, amount: f64, cap: Option<f64>) -> AutoRecharge {
        AutoRecharge { enabled, when_below: 10.0, amount, monthly_cap: cap }
    }

    fn live(enabled: bool, amount: f64, cap: Option<f64>) -> state::AutoRecharge {
        state::AutoRecharge { enabled, when_below: 10.0, amount, monthly_cap: cap }
    }

    #[test]
    fn spending_rises_with_amount_cap_or_enabling() {
        assert!(raises_spending(&live(false, 50.0, None), &recharge(true, 50.0, None)));
        assert!(raises_spending(&live(true, 50.0, None), &recharge(true, 60.0, None)));
        assert!(raises_spending(&live(true, 50.0, Some(200.0)), &recharge(true, 50.0, None)));
        assert!(raises_spending(
            &live(true, 50.0, Some(200.0)),
            &recharge(true, 50.0, Some(300.0))
        ));
        assert!(!raises_spending(
            &live(true, 50.0, Some(200.0)),
            &recharge(true, 40.0, Some(100.0))
        ));
        assert!(!raises_spending(&live(true, 50.0, None), &recharge(false, 90.0, None)));
    }
}
