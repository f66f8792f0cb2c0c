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

use crate::findings::{Evidence, Hit};
use crate::input::records::{Message, Source};
use crate::input::{Account, OrderId};
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
    /// Metric results by metric id, for the checks that judge a metric
    /// ([`Check::metric`]): they run once the metrics are computed. The
    /// other checks run beside the metrics, and see none.
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

/// What the seller wrote to buyers, as text rules name it in `sources`.
pub(crate) const TEXT_SOURCES: &[&str] = &["messages", "inserts"];

/// Evidence of an outbound message: where it is, and the order it is
/// about (or its line, for a message about no order).
pub(crate) fn message_evidence(
    messages: &Source<Message>,
    m: &Message,
    excerpt: String,
) -> Evidence {
    Evidence {
        file: messages.file.clone(),
        line: Some(m.line),
        key: m
            .order_id
            .as_ref()
            .map_or_else(|| format!("message line {}", m.line), OrderId::to_string),
        excerpt,
    }
}

/// A text rule's `sources`: all of [`TEXT_SOURCES`] when left out; a name
/// outside them is a located error naming what `kind` checks read.
pub(crate) fn read_text_sources(p: &mut Params<'_>, kind: &str) -> Vec<&'static str> {
    let Some(list) = p.opt_str_list("sources") else {
        return TEXT_SOURCES.to_vec();
    };
    let mut sources = Vec::new();
    for (name, loc) in list {
        match TEXT_SOURCES.iter().find(|s| **s == name) {
            Some(s) => sources.push(*s),
            None => {
                let owner = p.owner.clone();
                p.diags.error(
                    loc,
                    format!(
                        "`sources` in {owner} names `{name}`; {kind} checks read {}",
                        TEXT_SOURCES.join(", ")
                    ),
                );
            }
        }
    }
    sources
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

    #[test]
    fn text_rules_name_the_sources_they_read_when_one_is_unknown() {
        let rule = |check: &str, keys: &str| {
            format!(
                "[[rule]]\nid = \"T-1\"\ntitle = \"t\"\ncategory = \"reviews\"\n\
                 severity = \"high\"\nappeal = \"appealable\"\nremediation = \"r\"\n\
                 check = \"{check}\"\nsources = [\"messages\", \"emails\"]\n{keys}"
            )
        };
        let text = rule("text", "patterns = ['five stars']\n");
        let phrases = rule(
            "phrases",
            "[rule.terms.en]\nreview = ['review']\n[[rule.when]]\nall = [\"review\"]\n",
        );
        for (toml, kind) in [(text, "text"), (phrases, "phrase")] {
            let error = test_support::build(&toml).expect_err("`emails` is no source");
            assert!(
                error.contains(&format!(
                    "`sources` in rule `T-1` names `emails`; {kind} checks read messages, inserts"
                )),
                "{error}"
            );
        }
    }
}
