//! Check kinds: the Rust behind the rules. A rule names its kind with
//! `check = "…"`; each kind reads its own parameters, and runs over the
//! account to say whether the rule fired. A new rule of an existing kind
//! needs no Rust; a new kind is one module here plus one line in [`KINDS`].

pub mod brushing;
pub mod count;
pub mod linkage;
pub mod offers;
pub mod phrases;
pub mod rate;
pub mod reported;
pub mod text;

use crate::findings::Hit;
use crate::input::Account;
use crate::linkage::LinkIndex;
use crate::metrics::{MetricResult, MetricSpec};
use crate::policy::params::Params;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// What every check can see while it runs.
pub struct Context<'a> {
    pub account: &'a Account,
    pub as_of: NaiveDate,
    /// Metric results by metric id, computed before the checks run.
    pub metrics: &'a BTreeMap<String, MetricResult>,
    /// Mask personal data in evidence.
    pub mask: bool,
    /// Other accounts' identifiers: the watchlist and, in a batch, the
    /// other accounts.
    pub peers: &'a LinkIndex,
}

/// A configured check, built from one rule's parameters.
pub trait Check: Debug + Send + Sync {
    /// The metric this check judges, so the audit computes it first.
    fn metric(&self) -> Option<&MetricSpec> {
        None
    }

    /// How many days back from as-of this check looks at orders.
    fn reach_days(&self) -> u32 {
        0
    }

    /// Runs over the account; `None` when the rule does not fire.
    fn run(&self, ctx: &Context<'_>) -> Option<Hit>;

    /// Parameters as `ahr explain` shows them: (name, value).
    fn parameters(&self) -> Vec<(String, String)>;
}

/// One check kind: its name, its docs and its parameter reader.
pub struct CheckKind {
    pub name: &'static str,
    /// One line for `ahr explain` and `ahr policy check`.
    pub summary: &'static str,
    /// Every parameter key the kind reads, for "did you mean".
    pub keys: &'static [&'static str],
    /// Reads the parameters; problems go to the diagnostics and yield `None`.
    pub build: fn(&mut Params<'_>) -> Option<Box<dyn Check>>,
}

/// Every check kind, listed once.
pub const KINDS: &[CheckKind] = &[
    rate::KIND,
    count::KIND,
    text::KIND,
    phrases::KIND,
    brushing::KIND,
    offers::KIND,
    reported::KIND,
    linkage::KIND,
];

pub fn kind(name: &str) -> Option<&'static CheckKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Builds checks from rule text and runs them, for the kinds' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::policy::{DEFAULT_PACKS, load_texts};

    /// The check of the one rule in `rule_toml`, or the rendered problems.
    pub fn build(rule_toml: &str) -> Result<Box<dyn Check>, String> {
        let scoring = DEFAULT_PACKS
            .iter()
            .find(|(name, _)| name.ends_with("scoring.toml"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .expect("the scoring pack is compiled in");
        let files = [scoring, ("test.toml".to_string(), rule_toml.to_string())];
        let set = load_texts(&files).map_err(|e| e.0)?;
        let rule = set.rules.into_iter().next().expect("one rule");
        Ok(rule.check)
    }

    pub fn run(check: &dyn Check, account: &Account, as_of: &str) -> Option<Hit> {
        let metrics = BTreeMap::new();
        let ctx = Context {
            account,
            as_of: as_of.parse().expect("a date"),
            metrics: &metrics,
            mask: true,
            peers: &crate::linkage::EMPTY,
        };
        check.run(&ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
    }
}
