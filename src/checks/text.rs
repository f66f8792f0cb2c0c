//! `text`: prohibited wording in what the seller writes to buyers.
//!
//! Finds: outbound buyer messages and package inserts whose text matches any
//! of `patterns` and none of `unless` (wording that is allowed, such as
//! Amazon's own Request-a-Review text). Why it matters: asking for positive
//! reviews or paying for them is zero-tolerance; one package card can close
//! the account. Parameters: `sources`, `patterns`, `unless`.

use super::{Check, CheckKind, Context, message_evidence, read_text_sources};
use crate::findings::{Evidence, FindingStatus, Hit};
use crate::policy::params::Params;
use crate::policy::pattern::Pattern;
use crate::privacy;

pub const KIND: CheckKind = CheckKind {
    name: "text",
    summary: "prohibited wording in outbound buyer messages and package inserts",
    keys: &["sources", "patterns", "unless"],
    build,
};

#[derive(Debug)]
struct TextCheck {
    sources: Vec<&'static str>,
    patterns: Vec<Pattern>,
    unless: Vec<Pattern>,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let sources = read_text_sources(p, "text");
    let patterns = if p.contains("patterns") {
        p.opt_regex_list("patterns")
    } else {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags.error_with_help(
            loc,
            format!("{owner} has no `patterns`"),
            "add `patterns = ['(?i)five[- ]star review']`",
        );
        None
    };
    let unless = p.opt_regex_list("unless").unwrap_or_default();
    let patterns = patterns?;
    if patterns.is_empty() && !p.failed() {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags
            .error(loc, format!("{owner} has an empty `patterns` list"));
    }
    if patterns.is_empty() {
        return None;
    }
    Some(Box::new(TextCheck {
        sources,
        patterns,
        unless,
    }))
}

impl TextCheck {
    /// The first prohibited passage in `text`, unless allowed wording covers it.
    fn find<'t>(&self, text: &'t str) -> Option<&'t str> {
        let text_flat = text;
        if self.unless.iter().any(|re| re.is_match(text_flat)) {
            return None;
        }
        self.patterns
            .iter()
            .find_map(|re| re.find(text_flat))
            .map(|found| &text_flat[found])
    }
}

/// The matched passage with a little context on each side, widened to
/// whole words so masking sees every e-mail address and phone number whole.
fn context_excerpt(text: &str, passage: &str, mask: bool) -> String {
    const CONTEXT: usize = 30;
    let start = text.find(passage).unwrap_or(0);
    let end = start + passage.len();
    let mut from = text[..start]
        .char_indices()
        .rev()
        .nth(CONTEXT - 1)
        .map_or(0, |(i, _)| i);
    if from > 0 {
        from = text[..from].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    }
    let mut to = text[end..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(text.len(), |(i, _)| end + i);
    if to < text.len() {
        to = text[to..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| to + i);
    }
    format!(
        "{}{}{}",
        if from > 0 { "…" } else { "" },
        privacy::excerpt(&text[from..to], 200, mask),
        if to < text.len() { "…" } else { "" }
    )
}

impl Check for TextCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let mut evidence = Vec::new();
        let a = ctx.account;
        if self.sources.contains(&"messages")
            && let Some(messages) = &a.messages
        {
            for m in messages.rows.iter().filter(|m| m.outbound) {
                let text = m.text(&messages.texts);
                if let Some(passage) = self.find(&text) {
                    let excerpt = context_excerpt(&text, passage, ctx.mask);
                    evidence.push(message_evidence(messages, m, excerpt));
                }
            }
        }
        if self.sources.contains(&"inserts")
            && let Some(inserts) = &a.inserts
        {
            for i in &inserts.rows {
                if let Some(passage) = self.find(&i.text) {
                    evidence.push(Evidence {
                        file: inserts.file.clone(),
                        line: Some(i.line),
                        key: i.id.clone(),
                        excerpt: context_excerpt(&i.text, passage, ctx.mask),
                    });
                }
            }
        }
        if evidence.is_empty() {
            return None;
        }
        let n = evidence.len();
        Some(Hit {
            status: FindingStatus::Breach,
            message: format!(
                "{n} {} the seller wrote {} prohibited wording",
                if n == 1 { "text" } else { "texts" },
                if n == 1 { "contains" } else { "contain" }
            ),
            occurrences: n as u64,
            evidence,
            severity: None,
            form: None,
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let list = |res: &[Pattern]| {
            res.iter()
                .map(|r| format!("'{}'", r.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = vec![
            ("sources".into(), self.sources.join(", ")),
            ("patterns".into(), list(&self.patterns)),
        ];
        if !self.unless.is_empty() {
            out.push(("unless".into(), list(&self.unless)));
        }
        out
    }
}
