//! The regular expressions policies hold, compiled for the only questions
//! checks ask of them: does a text match, and where.
//!
//! A [`Pattern`] is the `regex` crate's own engine (`regex_automata`'s meta
//! regex), configured exactly as `regex::RegexBuilder` configures it, so a
//! pattern matches the same passages, fails on the same syntax and size
//! limits, and says so in the same words. One engine is left out: the
//! one-pass DFA, which regex builds for every pattern with a group or a
//! `\b` (most policy patterns) and runs only for anchored searches or
//! captured groups. Checks run neither, and those DFAs were a third of the
//! memory the default packs' patterns took.
//!
//! The same pattern often stands in several rules (the review rules share
//! most of their `ignore` lists): [`Patterns`] compiles it once while the
//! policies load, and every rule holds the one compiled pattern.

use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, meta};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// One compiled policy pattern and the text it was written as.
#[derive(Clone)]
pub struct Pattern {
    source: Arc<str>,
    regex: meta::Regex,
}

impl Pattern {
    /// Compiles `source`; `size_limit` bounds both the compiled pattern and
    /// the lazy DFA's cache, as `RegexBuilder::size_limit` and
    /// `dfa_size_limit` do. The error is the message regex would give.
    pub fn new(source: &str, size_limit: usize) -> Result<Pattern, String> {
        let config = meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .nfa_size_limit(Some(size_limit))
            .hybrid_cache_capacity(size_limit)
            .onepass(false);
        meta::Builder::new()
            .configure(config)
            .syntax(syntax::Config::new().utf8(true))
            .build(source)
            .map(|regex| Pattern {
                source: source.into(),
                regex,
            })
            .map_err(|err| describe(&err))
    }

    /// The pattern as the policy wrote it.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(Input::new(text))
    }

    /// The bytes of the first match, leftmost first as regex has it.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.regex.find(Input::new(text)).map(|m| m.range())
    }

    /// The bytes of every match in turn, none overlapping another.
    pub fn find_iter(&self, text: &str) -> impl Iterator<Item = Range<usize>> {
        self.regex.find_iter(text).map(|m| m.range())
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.as_str()).finish()
    }
}

/// The patterns compiled so far while policies load, by size limit, then
/// by text.
#[derive(Debug, Default)]
pub struct Patterns {
    compiled: HashMap<usize, HashMap<Arc<str>, Pattern>>,
}

impl Patterns {
    /// `source` compiled as [`Pattern::new`] does, or the pattern compiled
    /// from the same text with the same limit before: a clone shares its
    /// compiled form.
    pub fn compile(&mut self, source: &str, size_limit: usize) -> Result<Pattern, String> {
        let compiled = self.compiled.entry(size_limit).or_default();
        if let Some(pattern) = compiled.get(source) {
            return Ok(pattern.clone());
        }
        let pattern = Pattern::new(source, size_limit)?;
        compiled.insert(Arc::clone(&pattern.source), pattern.clone());
        Ok(pattern)
    }
}

/// A build error in the words of `regex::Error`, which policy authors may
/// have met elsewhere.
fn describe(err: &meta::BuildError) -> String {
    if let Some(limit) = err.size_limit() {
        format!("Compiled regex exceeds size limit of {limit} bytes.")
    } else if let Some(syntax) = err.syntax_error() {
        syntax.to_string()
    } else {
        err.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    /// Patterns with groups and Unicode word boundaries (the kind that
    /// made regex build a one-pass DFA), on ASCII and non-ASCII text.
    const CASES: &[(&str, &str)] = &[
        (
            r"\b(5|five)[- ]?stars?\b",
            "Leave 5 stars, five-star or 5star — fünf Sterne",
        ),
        (
            r"\bbewert\w*",
            "Bitte bewerten Sie uns; Bewertung, bewertet",
        ),
        (
            r"(^|[^能可会會])(不能|不可以)[^,。!?]{0,6}",
            "我们不能以好评换取返现,能不能",
        ),
        (
            r"\b\w*gutschein\b",
            "Ein Gutschein? gutschein und Geschenkgutschein",
        ),
        (r"a*", "baaab"),
        (r"", "é"),
    ];

    /// `source` as `regex` compiles it with the limits a [`Pattern`] takes:
    /// what every pattern must agree with.
    fn reference(source: &str, limit: usize) -> Result<regex::Regex, regex::Error> {
        regex::RegexBuilder::new(source)
            .size_limit(limit)
            .dfa_size_limit(limit)
            .build()
    }

    #[test]
    fn matches_every_passage_regex_matches() {
        for (source, text) in CASES {
            let pattern = Pattern::new(source, LIMIT).expect("compiles");
            let regex = reference(source, LIMIT).expect("compiles");
            let ours: Vec<_> = pattern.find_iter(text).collect();
            let theirs: Vec<_> = regex.find_iter(text).map(|m| m.range()).collect();
            assert_eq!(ours, theirs, "{source} in {text}");
            assert_eq!(pattern.find(text), regex.find(text).map(|m| m.range()));
            assert_eq!(pattern.is_match(text), regex.is_match(text));
            assert_eq!(pattern.as_str(), *source);
        }
    }

    #[test]
    fn the_same_text_and_limit_compile_once() {
        let mut patterns = Patterns::default();
        let first = patterns.compile(r"\breviews?\b", LIMIT).unwrap();
        let again = patterns.compile(r"\breviews?\b", LIMIT).unwrap();
        let other_limit = patterns.compile(r"\breviews?\b", 2 * LIMIT).unwrap();
        assert!(Arc::ptr_eq(&first.source, &again.source), "shared");
        assert!(!Arc::ptr_eq(&first.source, &other_limit.source));
        assert_eq!(again.find("two reviews"), Some(4..11));
        assert!(patterns.compile("(unclosed", LIMIT).is_err());
        assert!(
            patterns.compile("(unclosed", LIMIT).is_err(),
            "errors are not kept"
        );
    }

    #[test]
    fn errors_read_as_regex_words_them() {
        for (source, limit) in [(r"(unclosed", LIMIT), (r"\w{1000}", 1 << 10)] {
            let ours = Pattern::new(source, limit).expect_err("does not compile");
            let theirs = reference(source, limit).expect_err("does not compile");
            assert_eq!(ours, theirs.to_string(), "{source}");
        }
    }
}
