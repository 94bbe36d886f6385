//! Safety rails: checks a plan must pass before any write.
//!
//! Each [`Violation`] names its rail and says what to do. The rails are the policy's
//! `max_removals` and `min_admins`, the account guard (the key must open the manifest's
//! account), the key owner (never removed or demoted), and the flags destructive and
//! spend changes need.

use std::collections::{BTreeMap, HashMap};

use miette::Diagnostic;
use thiserror::Error;

use crate::manifest::model::{Manifest, MaxRemovals, PlatformRole};
use crate::state::LiveState;

use super::change::{Action, Change, ObjectKind};
use super::{Plan, PlanOptions};

/// A rail the plan breaks.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum Violation {
    #[error(
        "the plan removes {removals} of the {live} {kind} on the account, more than \
         `max_removals` allows ({limit})"
    )]
    #[diagnostic(
        code(mercfg::rails::max_removals),
        help(
            "check that the manifest lists every object you mean to keep, or raise `policy.max_removals`"
        )
    )]
    TooManyRemovals { kind: String, removals: usize, live: usize, limit: String },

    #[error("the plan leaves {after} active admins, fewer than `min_admins` ({min})")]
    #[diagnostic(
        code(mercfg::rails::min_admins),
        help("keep enough members with role `admin` in the manifest")
    )]
    TooFewAdmins { after: usize, min: u32 },

    #[error("the API key opens account `{actual}`, but the manifest is for `{expected}`")]
    #[diagnostic(
        code(mercfg::rails::account_guard),
        help("use the API key of `{expected}`, or fix `account.slug` if the manifest is wrong")
    )]
    WrongAccount { expected: String, actual: String },

    #[error("the plan removes `{email}`, the member whose API key is in use")]
    #[diagnostic(
        code(mercfg::rails::key_owner),
        help("keep `{email}` in the manifest, or run with the key of another admin")
    )]
    KeyOwnerRemoved { email: String },

    #[error("the plan demotes `{email}`, the member whose API key is in use, to `{role}`")]
    #[diagnostic(
        code(mercfg::rails::key_owner),
        help("keep the role of `{email}`, or run with the key of another admin")
    )]
    KeyOwnerDemoted { email: String, role: String },

    #[error("replacing {kind} `{key}` deletes customer data")]
    #[diagnostic(
        code(mercfg::rails::allow_destroy),
        help("review the plan, then run again with `--allow-destroy`")
    )]
    DestroyNotAllowed { kind: &'static str, key: String },

    #[error("the change to the {kind} raises possible spending")]
    #[diagnostic(
        code(mercfg::rails::allow_spend_increase),
        help("review the plan, then run again with `--allow-spend-increase`")
    )]
    SpendNotAllowed { kind: &'static str },
}

impl Violation {
    /// The name of the rail broken, as the manifest or the command line spells it.
    pub fn rail(&self) -> &'static str {
        match self {
            Violation::TooManyRemovals { .. } => "max_removals",
            Violation::TooFewAdmins { .. } => "min_admins",
            Violation::WrongAccount { .. } => "account_guard",
            Violation::KeyOwnerRemoved { .. } | Violation::KeyOwnerDemoted { .. } => "key_owner",
            Violation::DestroyNotAllowed { .. } => "allow_destroy",
            Violation::SpendNotAllowed { .. } => "allow_spend_increase",
        }
    }
}

/// Every rail `plan` breaks; empty when it may run.
///
/// The account guard and the key owner need the live account; a server without `/account`
/// leaves them unchecked. `min_admins` refuses a plan that leaves fewer active admins than
/// required and fewer than there are now, so a plan never makes it worse and an account
/// already short of admins can still be fixed.
pub fn check(
    plan: &Plan,
    manifest: &Manifest,
    live: &LiveState,
    options: &PlanOptions,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    account_guard(manifest, live, &mut violations);
    key_owner(plan, live, &mut violations);
    if let Some(policy) = &manifest.policy {
        if let Some(limit) = &policy.max_removals {
            max_removals(plan, live, limit, &mut violations);
        }
        if let Some(min) = policy.min_admins {
            min_admins(plan, live, min, &mut violations);
        }
    }
    for change in &plan.changes {
        let (kind, key) = (change.kind.label(), change.key.clone());
        if change.destructive && !options.allow_destroy {
            violations.push(Violation::DestroyNotAllowed { kind, key: key.clone() });
        }
        if change.spend && !options.allow_spend_increase {
            violations.push(Violation::SpendNotAllowed { kind });
        }
    }
    violations
}

fn account_guard(manifest: &Manifest, live: &LiveState, violations: &mut Vec<Violation>) {
    let Some(account) = &live.account else { return };
    if account.slug != manifest.account.slug {
        violations.push(Violation::WrongAccount {
            expected: manifest.account.slug.clone(),
            actual: account.slug.clone(),
        });
    }
}

fn key_owner(plan: &Plan, live: &LiveState, violations: &mut Vec<Violation>) {
    let (Some(account), Some(agents)) = (&live.account, &live.agents) else { return };
    let Some(owner) = agents.iter().find(|agent| agent.id == account.key_owner_id) else {
        return;
    };
    let owner_id = owner.id.to_string();
    let changes = plan.changes.iter().filter(|change| {
        change.kind == ObjectKind::Member
            && change.target.as_ref().is_some_and(|target| target.id == owner_id)
    });
    for change in changes {
        if change.action == Action::Remove {
            violations.push(Violation::KeyOwnerRemoved { email: owner.email.clone() });
        } else if let Some(role) = new_role(change)
            && rank(role) < rank(owner.role)
        {
            let role = role_name(role);
            violations.push(Violation::KeyOwnerDemoted { email: owner.email.clone(), role });
        }
    }
}

fn max_removals(plan: &Plan, live: &LiveState, limit: &MaxRemovals, out: &mut Vec<Violation>) {
    let mut removals: BTreeMap<ObjectKind, usize> = BTreeMap::new();
    for change in plan.changes.iter().filter(|change| change.action == Action::Remove) {
        *removals.entry(change.kind).or_default() += 1;
    }
    for (kind, count) in removals {
        let live_count = live_objects(live, kind);
        let (allowed, text) = match limit {
            MaxRemovals::Count(max) => (count <= *max as usize, max.to_string()),
            MaxRemovals::Percent(text) => {
                let Ok(share) = text.trim().trim_end_matches('%').parse::<f64>() else {
                    continue;
                };
                (count as f64 * 100.0 <= share * live_count as f64, text.clone())
            }
        };
        if !allowed {
            out.push(Violation::TooManyRemovals {
                kind: kind.heading().to_lowercase(),
                removals: count,
                live: live_count,
                limit: text,
            });
        }
    }
}

/// Live objects of a kind that a removal counts against; for members, the active ones.
fn live_objects(live: &LiveState, kind: ObjectKind) -> usize {
    match kind {
        ObjectKind::Member => live
            .agents
            .as_ref()
            .map_or(0, |agents| agents.iter().filter(|agent| agent.active).count()),
        ObjectKind::Team => live.teams.as_ref().map_or(0, Vec::len),
        ObjectKind::CustomField => live.custom_fields.as_ref().map_or(0, Vec::len),
        ObjectKind::Tag => live.tags.as_ref().map_or(0, Vec::len),
        ObjectKind::QuickReply => live.quick_replies.as_ref().map_or(0, Vec::len),
        ObjectKind::CustomerList => live.customer_lists.as_ref().map_or(0, Vec::len),
        _ => 1,
    }
}

fn min_admins(plan: &Plan, live: &LiveState, min: u32, violations: &mut Vec<Violation>) {
    let Some(agents) = &live.agents else { return };

    // Each agent's role while active (`None` when not), before and after the plan, keyed
    // by id, or by email for invitations.
    let roles: HashMap<String, PlatformRole> =
        agents.iter().map(|agent| (agent.id.to_string(), agent.role)).collect();
    let mut after: HashMap<String, Option<PlatformRole>> = agents
        .iter()
        .map(|agent| (agent.id.to_string(), agent.active.then_some(agent.role)))
        .collect();
    let admins = |roles: &HashMap<String, Option<PlatformRole>>| {
        roles.values().filter(|role| **role == Some(PlatformRole::Admin)).count()
    };
    let before = admins(&after);

    for change in plan.changes.iter().filter(|change| change.kind == ObjectKind::Member) {
        let id = change.target.as_ref().map_or_else(|| change.key.clone(), |t| t.id.clone());
        let reactivates = change.fields.iter().any(|field| field.path == "active");
        match change.action {
            Action::Remove => {
                after.insert(id, None);
            }
            Action::Create | Action::Update => {
                let role = new_role(change).or_else(|| roles.get(&id).copied());
                let slot = after.entry(id).or_insert(None);
                if reactivates || slot.is_some() || change.action == Action::Create {
                    *slot = role;
                }
            }
            _ => {}
        }
    }

    let after = admins(&after);
    if after < min as usize && after < before {
        violations.push(Violation::TooFewAdmins { after, min });
    }
}

/// The role a member change sets, if it sets one.
fn new_role(change: &Change) -> Option<PlatformRole> {
    let role = change.body.as_ref()?.get("role")?.clone();
    serde_json::from_value(role).ok()
}

fn rank(role: PlatformRole) -> u8 {
    match role {
        PlatformRole::Admin => 2,
        PlatformRole::Supervisor => 1,
        PlatformRole::Agent => 0,
    }
}

fn role_name(role: PlatformRole) -> String {
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::{Kind, Policy};
    use crate::plan::diff;
    use crate::plan::fixture::{every_change, live, matching};

    fn rails(manifest: &Manifest, options: PlanOptions) -> Vec<&'static str> {
        let live = live();
        let plan = diff(manifest, &live, &options);
        check(&plan, manifest, &live, &options).iter().map(Violation::rail).collect()
    }

    fn policy(manifest: &mut Manifest, max_removals: Option<MaxRemovals>, min_admins: u32) {
        manifest.policy = Some(Policy {
            prune: vec![Kind::Members, Kind::Tags],
            max_removals,
            min_admins: Some(min_admins),
        });
    }

    #[test]
    fn destructive_and_spend_changes_need_their_flags() {
        let manifest = every_change();
        assert_eq!(
            rails(&manifest, PlanOptions::default()),
            ["allow_destroy", "allow_spend_increase"]
        );
        let allowed = PlanOptions { allow_destroy: true, allow_spend_increase: true };
        assert!(rails(&manifest, allowed).is_empty());
    }

    #[test]
    fn max_removals_counts_per_kind() {
        let mut manifest = matching();
        manifest.tags = Some(Vec::new());
        policy(&mut manifest, Some(MaxRemovals::Count(2)), 0);
        assert_eq!(rails(&manifest, PlanOptions::default()), ["max_removals"]);

        policy(&mut manifest, Some(MaxRemovals::Count(3)), 0);
        assert!(rails(&manifest, PlanOptions::default()).is_empty());
    }

    #[test]
    fn max_removals_as_a_share_of_live_objects() {
        let mut manifest = matching();
        // One tag of three is 33%.
        manifest.tags.as_mut().map(|tags| tags.pop());
        policy(&mut manifest, Some(MaxRemovals::Percent("25%".into())), 0);
        assert_eq!(rails(&manifest, PlanOptions::default()), ["max_removals"]);

        policy(&mut manifest, Some(MaxRemovals::Percent("34%".into())), 0);
        assert!(rails(&manifest, PlanOptions::default()).is_empty());
    }

    #[test]
    fn min_admins_counts_active_admins_after_the_plan() {
        let mut manifest = matching();
        if let Some(members) = &mut manifest.members {
            members[1].role = "admin".into();
        }
        policy(&mut manifest, None, 2);
        assert!(rails(&manifest, PlanOptions::default()).is_empty());

        // Demoting the second admin again, while the live account has two, is refused.
        let live_two_admins = {
            let mut state = live();
            if let Some(agents) = &mut state.agents {
                agents[1].role = PlatformRole::Admin;
            }
            state
        };
        let manifest = {
            let mut manifest = matching();
            policy(&mut manifest, None, 2);
            manifest
        };
        let plan = diff(&manifest, &live_two_admins, &PlanOptions::default());
        let violations = check(&plan, &manifest, &live_two_admins, &PlanOptions::default());
        assert_eq!(violations, [Violation::TooFewAdmins { after: 1, min: 2 }]);
    }

    #[test]
    fn an_account_already_short_of_admins_can_still_be_planned() {
        let mut manifest = matching();
        policy(&mut manifest, None, 3);
        assert!(rails(&manifest, PlanOptions::default()).is_empty());
    }

    #[test]
    fn the_key_must_open_the_manifest_account() {
        let mut manifest = matching();
        manifest.account.slug = "otra-cuenta".into();
        assert_eq!(rails(&manifest, PlanOptions::default()), ["account_guard"]);
    }

    #[test]
    fn the_key_owner_is_never_removed_or_demoted() {
        let mut manifest = matching();
        if let Some(members) = &mut manifest.members {
            members[0].role = "supervisor".into();
        }
        // The only admin, too: `min_admins` (1 in the fixture) is broken as well.
        assert_eq!(rails(&manifest, PlanOptions::default()), ["key_owner", "min_admins"]);

        if let Some(members) = &mut manifest.members {
            members.remove(0);
        }
        let names = rails(&manifest, PlanOptions::default());
        assert_eq!(names, ["key_owner", "min_admins"]);
    }

    #[test]
    fn violations_explain_themselves() {
        let violation = Violation::KeyOwnerRemoved { email: "owner@andina.ec".into() };
        assert_eq!(
            violation.to_string(),
            "the plan removes `owner@andina.ec`, the member whose API key is in use"
        );
        let help = miette::Diagnostic::help(&violation).map(|help| help.to_string());
        assert!(help.is_some_and(|help| help.contains("keep `owner@andina.ec`")));
    }
}
