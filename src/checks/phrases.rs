//! `phrases`: wording found by context, not by one giant regex.
//!
//! A rule lists, per language, named classes of terms (`review`,
//! `incentive`, `satisfied`, …), each a list of short regexes, and
//! conditions (`when`) that name the classes which must occur together:
//! in one sentence, or within a number of characters of each other. A
//! language's `ignore` list blanks passages that never count ("we will
//! review your return", "five-star hotel pans") before anything matches.
//! Languages are matched independently, so terms of two languages never
//! combine; every text is tried in every language. A passage that any
//! language ignores is ignored by all: another language's patterns only
//! meet its words by accident.
//!
//! Text is normalised first, one character for one character so that
//! positions map back to the original: lower case, full-width ASCII to
//! ASCII, curly quotes and dashes to plain ones, a literal `\n` to a line
//! break. Patterns are therefore written in lower case, with plain
//! punctuation (`!` for `！`); a policy that breaks this is an error, as
//! its pattern could never match. Distances count
//! characters, so "near" works the same for Chinese and Japanese, which
//! have no spaces.
//!
//! With `per_order = N` the rule fires only for orders with at least N
//! matching outbound messages (repeat review requests).
//!
//! Speed: a rule first searches a text once for all its patterns (a regex
//! set, see `Prefilter`) and skips every language in which no condition
//! can fire, which is most texts in most languages; only the rest are
//! blanked, split into sentences and matched class by class. A text sent
//! word for word many times (a template) is matched once per rule.

use super::{Check, CheckKind, Context, message_evidence, read_text_sources};
use crate::findings::{Evidence, FindingStatus, Hit};
use crate::i18n::MessageForm;
use crate::input::OrderId;
use crate::policy::params::Params;
use crate::policy::pattern::Pattern;
use crate::policy::tree::{Table, Value};
use crate::privacy;
use regex_automata::{Input, MatchKind, PatternSet, meta};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

pub const KIND: CheckKind = CheckKind {
    name: "phrases",
    summary: "wording in buyer messages and package inserts, found by term classes that occur together",
    keys: &["sources", "terms", "languages", "when", "per_order"],
    build,
};

const SCOPES: &[&str] = &["sentence", "text"];
const DEFAULT_WITHIN: usize = 80;
/// Matches of one class tried beside each match of a condition's first
/// class: bounds the search for a combination, whatever the text.
const MAX_MATCHES: usize = 24;
/// Compiled size allowed per pattern, as for every policy regex: a policy
/// cannot make the tool allocate without bound.
const CLASS_SIZE_LIMIT: usize = 1 << 20;
/// Memory for the states of a rule's prefilter search, built as texts need
/// them. A rule's patterns together need far more states than one pattern
/// (regex's default is 2 MB): 38,000 varied texts in eight languages used
/// between 8 and 32 MB, and a full cache is cleared and refilled, or the
/// search falls back to a slower engine, with the same result.
const SET_CACHE: usize = 32 << 20;
/// The class name that blanks passages instead of being matched.
const IGNORE: &str = "ignore";

#[derive(Debug)]
struct Language {
    name: String,
    ignore: Vec<Pattern>,
    classes: BTreeMap<String, Vec<Pattern>>,
}

#[derive(Debug)]
struct Condition {
    all: Vec<String>,
    within: usize,
    whole_text: bool,
    ordered: bool,
    unless: Vec<String>,
    /// Names what the condition found, in the evidence ("e-mail address").
    label: Option<String>,
}

#[derive(Debug)]
struct PhrasesCheck {
    sources: Vec<&'static str>,
    languages: Vec<Language>,
    when: Vec<Condition>,
    per_order: Option<usize>,
    /// None only if the rule's patterns are too big to search together;
    /// every text then takes the full path in every language.
    prefilter: Option<Prefilter>,
}

/// Every pattern of a rule (each class and each `ignore` pattern of every
/// language, widened: see [`widen`]) in one set, searched once per text. Most texts contain no
/// combination of terms any condition asks for, and the set proves it in
/// one pass, where the full path blanks, splits into sentences and runs
/// each class on its own, in each language.
#[derive(Debug)]
struct Prefilter {
    set: meta::Regex,
    /// Per language, in the order of `PhrasesCheck::languages`.
    slots: Vec<Slots>,
}

/// Where one language's patterns sit in the [`Prefilter`] set.
#[derive(Debug)]
struct Slots {
    ignore: Vec<usize>,
    /// Per class, in the order of `Language::classes`.
    classes: Vec<Vec<usize>>,
    /// Per condition, the positions in `classes` of its `all` classes;
    /// None when this language lacks one of them, so it never fires here.
    conditions: Vec<Option<Vec<usize>>>,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    read(p).map(|c| Box::new(c) as Box<dyn Check>)
}

fn read(p: &mut Params<'_>) -> Option<PhrasesCheck> {
    let sources = read_text_sources(p, "phrase");
    let languages = read_terms(p).map(|all| choose_languages(p, all));
    let when = read_conditions(p);
    let per_order = p.opt_int("per_order", 2, 100).map(|n| n as usize);
    let (languages, when) = (languages?, when?);
    check_names(p, &languages, &when);
    if p.failed() {
        return None;
    }
    let prefilter = Prefilter::build(&languages, &when);
    Some(PhrasesCheck {
        sources,
        languages,
        when,
        per_order,
        prefilter,
    })
}

impl Prefilter {
    fn build(languages: &[Language], when: &[Condition]) -> Option<Prefilter> {
        let mut patterns: Vec<Hir> = Vec::new();
        let mut slot = |re: &Pattern| {
            patterns.push(widen(re.as_str()));
            patterns.len() - 1
        };
        let mut slots = Vec::new();
        for language in languages {
            let ignore = language.ignore.iter().map(&mut slot).collect();
            let classes = language
                .classes
                .values()
                .map(|res| res.iter().map(&mut slot).collect())
                .collect();
            let names: Vec<&String> = language.classes.keys().collect();
            let conditions = when
                .iter()
                .map(|c| {
                    c.all
                        .iter()
                        .map(|class| names.iter().position(|n| *n == class))
                        .collect()
                })
                .collect();
            slots.push(Slots {
                ignore,
                classes,
                conditions,
            });
        }
        // The same limit as the patterns had one by one, added up.
        let limit = CLASS_SIZE_LIMIT.saturating_mul(patterns.len().max(1));
        let config = meta::Config::new()
            .match_kind(MatchKind::All)
            .utf8_empty(true)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
            // Policy terms share many short prefixes: skipping ahead to
            // them costs more than the search it saves on short texts.
            .auto_prefilter(false)
            .nfa_size_limit(Some(limit))
            .hybrid_cache_capacity(SET_CACHE);
        let set = meta::Builder::new()
            .configure(config)
            .build_many_from_hir(&patterns)
            .ok()?;
        Some(Prefilter { set, slots })
    }

    /// Which patterns match somewhere in `text` (by set index).
    fn matches(&self, text: &str) -> Vec<bool> {
        let mut found = PatternSet::new(self.set.pattern_len());
        self.set
            .which_overlapping_matches(&Input::new(text), &mut found);
        let mut matched = vec![false; self.set.pattern_len()];
        for id in found.iter() {
            matched[id.as_usize()] = true;
        }
        matched
    }
}

/// A pattern that matches wherever `pattern` does, and maybe elsewhere,
/// but is much cheaper to compile and to search: assertions (`\b`, `^`)
/// are dropped, and very large classes (`\w`) take any non-ASCII
/// character. The set then never needs the slow engine that
/// Unicode word boundaries force on non-ASCII text, and a false "maybe"
/// only costs the full path. A pattern that does not parse (it compiled,
/// so it cannot happen) becomes one that matches everywhere.
fn widen(pattern: &str) -> Hir {
    /// `\w` (hundreds of ranges, in most European patterns) is the class
    /// that makes compiling slow; classes a policy spells out (`[评評]`),
    /// `\d`, `\p{Han}` and emoji stay exact, so that Chinese text does not
    /// pass the prefilter just for being non-ASCII.
    const LARGE_CLASS: usize = 200;
    fn wide(hir: &Hir) -> Hir {
        match hir.kind() {
            HirKind::Look(_) => Hir::empty(),
            HirKind::Class(Class::Unicode(class)) if class.ranges().len() > LARGE_CLASS => {
                // Exact on ASCII, any character beyond: cheap to compile,
                // and an ASCII text is searched as precisely as before.
                let mut wide = ClassUnicode::new([ClassUnicodeRange::new('\u{80}', char::MAX)]);
                let mut ascii = class.clone();
                ascii.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\u{7F}')]));
                wide.union(&ascii);
                Hir::class(Class::Unicode(wide))
            }
            HirKind::Repetition(rep) => Hir::repetition(Repetition {
                sub: Box::new(wide(&rep.sub)),
                ..rep.clone()
            }),
            HirKind::Capture(capture) => wide(&capture.sub),
            HirKind::Concat(subs) => Hir::concat(subs.iter().map(wide).collect()),
            HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(wide).collect()),
            _ => hir.clone(),
        }
    }
    /// Whether a text has a match is all the set says, and a text with a
    /// match of `a b*` has one of `a`: optional ends are dropped, so the
    /// search does not linger in states that have matched already.
    /// (Only the ends: dropping an optional part in the middle would not
    /// give a superset.)
    fn trim(hir: Hir) -> Hir {
        let optional = |h: &Hir| h.properties().minimum_len() == Some(0);
        match hir.kind() {
            HirKind::Concat(subs) => {
                let lead = subs.iter().take_while(|h| optional(h)).count();
                let tail = subs[lead..]
                    .iter()
                    .rev()
                    .take_while(|h| optional(h))
                    .count();
                Hir::concat(subs[lead..subs.len() - tail].to_vec())
            }
            HirKind::Alternation(subs) => {
                Hir::alternation(subs.iter().cloned().map(trim).collect())
            }
            _ => hir,
        }
    }
    match regex_syntax::Parser::new().parse(pattern) {
        Ok(hir) => trim(wide(&hir)),
        // Matches everywhere: a text then always takes the full path.
        Err(_) => Hir::empty(),
    }
}

/// `[rule.terms.<language>]` tables of `class = [patterns]`.
fn read_terms(p: &mut Params<'_>) -> Option<Vec<Language>> {
    let Some((terms, _)) = p.opt_table("terms") else {
        if !p.failed() {
            let (owner, loc) = (p.owner.clone(), p.owner_loc);
            p.diags.error_with_help(
                loc,
                format!("{owner} has no `terms`"),
                "add a table per language, e.g. `[rule.terms.en]` with `review = ['\\breviews?\\b']`",
            );
        }
        return None;
    };
    let mut languages = Vec::new();
    for entry in terms.entries {
        let owner = format!("`terms.{}` of {}", entry.key, p.owner);
        let Value::Table(table) = entry.node.value else {
            p.diags.error(
                entry.node.loc,
                format!(
                    "{owner} must be a table of term classes, found {}",
                    entry.node.value.type_name()
                ),
            );
            continue;
        };
        check_normal_form(p, &owner, &table);
        let keys: Vec<String> = table.entries.iter().map(|e| e.key.clone()).collect();
        let mut lp = Params::new(table, owner, entry.key_loc, p.diags);
        let mut language = Language {
            name: entry.key.clone(),
            ignore: Vec::new(),
            classes: BTreeMap::new(),
        };
        for key in keys {
            if key == IGNORE {
                // Kept apart, so every passage any of them matches is blanked.
                language.ignore = lp.opt_regex_list(&key).unwrap_or_default();
                continue;
            }
            if let Some(re) = class_regex(&mut lp, &key) {
                language.classes.insert(key, vec![re]);
            }
        }
        lp.finish(&[]);
        languages.push(language);
    }
    Some(languages)
}

/// `languages = ["en", "de"]` keeps only those term tables, so an override
/// can narrow a rule without restating its terms.
fn choose_languages(p: &mut Params<'_>, all: Vec<Language>) -> Vec<Language> {
    let Some(list) = p.opt_str_list("languages") else {
        return all;
    };
    for (name, loc) in &list {
        if !all.iter().any(|l| &l.name == name) {
            let message = format!(
                "`languages` in {} names `{name}`, which has no `terms.{name}` table",
                p.owner
            );
            let help = match crate::policy::diagnostics::did_you_mean(
                name,
                all.iter().map(|l| l.name.as_str()),
            ) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "the rule has terms for {}",
                    all.iter()
                        .map(|l| l.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            p.diags.error_with_help(*loc, message, help);
        }
    }
    all.into_iter()
        .filter(|l| list.iter().any(|(name, _)| name == &l.name))
        .collect()
}

/// One class's patterns as one regex (an alternation): a regex has a fixed
/// cost to build, paid at every start, and a policy holds hundreds of
/// patterns. Only when the whole fails are the patterns compiled one by
/// one, to say which is wrong and where.
fn class_regex(p: &mut Params<'_>, key: &str) -> Option<Pattern> {
    let patterns = p.opt_str_list(key)?;
    if patterns.is_empty() {
        return None;
    }
    let joined = patterns
        .iter()
        .map(|(pattern, _)| format!("(?:{pattern})"))
        .collect::<Vec<_>>()
        .join("|");
    let limit = CLASS_SIZE_LIMIT.saturating_mul(patterns.len());
    if let Ok(re) = p.diags.patterns.compile(&joined, limit) {
        return Some(re);
    }
    for (pattern, loc) in &patterns {
        if let Err(detail) = Pattern::new(pattern, CLASS_SIZE_LIMIT) {
            let last = detail.lines().last().unwrap_or(&detail).trim().to_string();
            let message = format!("bad regex in `{key}` of {}: {last}", p.owner);
            p.diags.error_with_help(
                *loc,
                message,
                "patterns use Rust regex syntax (no look-around or back-references)",
            );
        }
    }
    None
}

/// Text is normalised before matching (lower case, full-width ASCII to
/// ASCII, curly quotes and dashes to plain ones), so a pattern holding a
/// character normalisation changes could never match it there: say so
/// instead of silently missing.
fn check_normal_form(p: &mut Params<'_>, owner: &str, table: &Table) {
    for entry in &table.entries {
        let Value::Array(items) = &entry.node.value else {
            continue;
        };
        for item in items {
            let Value::Str(pattern) = &item.value else {
                continue;
            };
            let Some(c) = first_unnormal_literal(pattern) else {
                continue;
            };
            let key = &entry.key;
            let (message, help) = if c.is_uppercase() {
                (
                    format!(
                        "pattern in `{key}` of {owner} has an upper-case letter; text is lower-cased before matching"
                    ),
                    "write the pattern in lower case".to_string(),
                )
            } else {
                let plain = normalise(c);
                let fix = if regex_syntax::is_meta_character(plain) {
                    format!("\\{plain}")
                } else {
                    plain.to_string()
                };
                (
                    format!(
                        "pattern in `{key}` of {owner} has `{c}` (U+{:04X}), which text never holds: it becomes `{plain}` before matching",
                        c as u32
                    ),
                    format!("write `{fix}` instead"),
                )
            };
            p.diags.error_with_help(item.loc, message, help);
        }
    }
}

/// The first character outside escapes (`\B`, `\W`, `\p{Han}`, `\xFF`) that
/// normalisation would change.
fn first_unnormal_literal(pattern: &str) -> Option<char> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let escape = chars.next();
            if chars.peek() == Some(&'{') {
                // `\p{Han}`, `\x{FE0F}`: the braces belong to the escape.
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                }
            } else if escape == Some('x') {
                chars.next();
                chars.next();
            }
        } else if c.is_uppercase() || (!c.is_ascii() && normalise(c) != c) {
            return Some(c);
        }
    }
    None
}

fn read_conditions(p: &mut Params<'_>) -> Option<Vec<Condition>> {
    let Some(entry) = p.take("when") else {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags.error_with_help(
            loc,
            format!("{owner} has no `when`"),
            "add `when = [{ all = [\"positive\", \"review\"], within = 60 }]`",
        );
        return None;
    };
    let items = match entry.node.value {
        Value::Array(items) => items,
        other => {
            let owner = p.owner.clone();
            p.diags.error(
                entry.node.loc,
                format!(
                    "`when` in {owner} must be an array of tables, found {}",
                    other.type_name()
                ),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for item in items {
        let owner = format!("a `when` condition of {}", p.owner);
        let Value::Table(table) = item.value else {
            p.diags.error(
                item.loc,
                format!("{owner} must be a table like {{ all = [\"a\", \"b\"] }}"),
            );
            continue;
        };
        let mut cp = Params::new(table, owner, item.loc, p.diags);
        let all: Vec<String> = match cp.opt_str_list("all") {
            Some(list) if !list.is_empty() => list.into_iter().map(|(s, _)| s).collect(),
            _ => {
                let (owner, loc) = (cp.owner.clone(), cp.owner_loc);
                cp.diags.error_with_help(
                    loc,
                    format!("{owner} names no term classes"),
                    "add `all = [\"positive\", \"review\"]`",
                );
                Vec::new()
            }
        };
        let within = cp
            .opt_int("within", 1, 5000)
            .map_or(DEFAULT_WITHIN, |n| n as usize);
        let whole_text = cp.opt_choice("scope", SCOPES) == Some("text");
        let ordered = cp.opt_bool("ordered").unwrap_or(false);
        let unless = cp
            .opt_str_list("unless")
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let label = cp.opt_str("label").map(|(s, _)| s);
        cp.finish(&["all", "within", "scope", "ordered", "unless", "label"]);
        if !all.is_empty() {
            out.push(Condition {
                all,
                within,
                whole_text,
                ordered,
                unless,
                label,
            });
        }
    }
    if out.is_empty() && !p.failed() {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags
            .error(loc, format!("{owner} has an empty `when` list"));
    }
    Some(out)
}

/// Every class a condition names exists in some language, and a class no
/// condition uses is not a misspelling of one that is: a typo in either
/// would silently match nothing. (Other unused classes are allowed, so an
/// override can change `when` without deleting terms.)
fn check_names(p: &mut Params<'_>, languages: &[Language], when: &[Condition]) {
    let used: Vec<&str> = when
        .iter()
        .flat_map(|c| c.all.iter().chain(&c.unless))
        .map(String::as_str)
        .collect();
    for name in &used {
        if !languages.iter().any(|l| l.classes.contains_key(*name)) {
            let (owner, loc) = (p.owner.clone(), p.owner_loc);
            let defined = languages
                .iter()
                .flat_map(|l| l.classes.keys().map(String::as_str));
            let help = match crate::policy::diagnostics::did_you_mean(name, defined) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("define it, e.g. `[rule.terms.en]` `{name} = ['…']`"),
            };
            p.diags.error_with_help(
                loc,
                format!("{owner}: `when` names the term class `{name}`, which no language defines"),
                help,
            );
        }
    }
    for language in languages {
        for class in language.classes.keys() {
            if used.contains(&class.as_str()) {
                continue;
            }
            if let Some(near) =
                crate::policy::diagnostics::did_you_mean(class, used.iter().copied())
            {
                let (owner, loc) = (p.owner.clone(), p.owner_loc);
                p.diags.error_with_help(
                    loc,
                    format!(
                        "{owner}: term class `{class}` of `terms.{}` is not used by any `when` condition",
                        language.name
                    ),
                    format!("did you mean `{near}`?"),
                );
            }
        }
    }
}

/// A matched text's characters, as excerpts show them (spans count
/// characters of the normalised text, which match these one for one).
struct Prepared {
    original: Vec<char>,
}

/// A literal `\n` (as some exports write line breaks) becomes a line break.
fn unescape(text: &str) -> Cow<'_, str> {
    if text.contains("\\n") {
        text.replace("\\n", "\n").into()
    } else {
        text.into()
    }
}

/// The text every pattern is matched against (see the module docs).
fn normalise_text(text: &str) -> String {
    if text.is_ascii() {
        // The common case, byte for byte: ASCII stays ASCII.
        let bytes = text.bytes().map(|b| normalise_ascii(char::from(b)) as u8);
        if let Ok(normal) = String::from_utf8(bytes.collect()) {
            return normal;
        }
    }
    text.chars().map(normalise).collect()
}

/// [`normalise`] for an ASCII character: no table look-ups.
fn normalise_ascii(c: char) -> char {
    match c {
        '\t' | '\r' => ' ',
        '`' => '\'',
        _ => c.to_ascii_lowercase(),
    }
}

fn normalise(c: char) -> char {
    if c.is_ascii() {
        return normalise_ascii(c);
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    match c {
        '\u{3000}' | '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\t' | '\r' => ' ',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

/// Where sentences end: a line break, CJK end punctuation, or `.`, `!`,
/// `?`, `;` followed by a space (so "example.com" and "24.99" stay whole).
fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        let next_blank = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let end = match c {
            '\n' | '。' | '！' | '？' | '；' => true,
            '.' | '!' | '?' | ';' => next_blank,
            _ => false,
        };
        if end {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push((start, chars.len()));
    }
    out
}

/// A passage that satisfied a condition, in characters.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Span {
    start: usize,
    end: usize,
}

impl Language {
    /// Matches of every class in `blanked` (a text after [`Self::blank`]),
    /// as character spans. `present`, from the prefilter, says which
    /// classes match it at all; the others need no search.
    fn spans(&self, blanked: &str, present: Option<&[bool]>) -> BTreeMap<&str, Vec<Span>> {
        let chars = CharIndex::new(blanked);
        let mut out = BTreeMap::new();
        for (k, (name, res)) in self.classes.iter().enumerate() {
            if present.is_some_and(|p| !p[k]) {
                out.insert(name.as_str(), Vec::new());
                continue;
            }
            let mut spans: Vec<Span> = res
                .iter()
                .flat_map(|re| re.find_iter(blanked))
                .filter(|found| !found.is_empty())
                .map(|found| Span {
                    start: chars.at(found.start),
                    end: chars.at(found.end),
                })
                .collect();
            spans.sort_by_key(|s| (s.start, s.end));
            spans.dedup();
            out.insert(name.as_str(), spans);
        }
        out
    }

    /// Marks in `blank` (one flag a byte of `text`, made on first need)
    /// every byte of an `ignore` passage. `may_match(k)` is false only for
    /// `ignore` patterns known to match nowhere in `text`.
    fn mark_ignored(&self, text: &str, may_match: impl Fn(usize) -> bool, blank: &mut Vec<bool>) {
        for (k, re) in self.ignore.iter().enumerate() {
            if !may_match(k) {
                continue;
            }
            for found in re.find_iter(text).filter(|found| !found.is_empty()) {
                if blank.is_empty() {
                    *blank = vec![false; text.len()];
                }
                blank[found].fill(true);
            }
        }
    }
}

/// `text` with every marked character replaced by a space: one character
/// for one, so character positions stay put.
fn blanked<'t>(text: &'t str, blank: &[bool]) -> Cow<'t, str> {
    if blank.is_empty() {
        return Cow::Borrowed(text);
    }
    text.char_indices()
        .map(|(i, c)| if blank[i] { ' ' } else { c })
        .collect::<String>()
        .into()
}

/// Maps byte offsets of a text to character offsets: the identity for
/// ASCII, a binary search over the characters' starts otherwise.
struct CharIndex(Option<Vec<usize>>);

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        CharIndex((!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect()))
    }

    fn at(&self, byte: usize) -> usize {
        match &self.0 {
            None => byte,
            Some(starts) => starts.partition_point(|&s| s < byte),
        }
    }
}

impl Condition {
    /// The first passage in `units` where every class of the condition
    /// occurs within `within` characters and no `unless` class occurs.
    fn find(&self, spans: &BTreeMap<&str, Vec<Span>>, units: &[(usize, usize)]) -> Option<Span> {
        let lists: Option<Vec<&Vec<Span>>> =
            self.all.iter().map(|c| spans.get(c.as_str())).collect();
        let lists = lists?;
        for &(lo, hi) in units {
            let per_class: Vec<Vec<Span>> = lists.iter().map(|l| within_unit(l, lo, hi)).collect();
            if per_class.iter().any(Vec::is_empty) {
                continue;
            }
            let Some(found) = self.combine(&per_class) else {
                continue;
            };
            let vetoed = self.unless.iter().any(|u| {
                spans.get(u.as_str()).is_some_and(|l| {
                    if self.whole_text {
                        let from = found.start.saturating_sub(self.within);
                        !within_unit(l, from, found.end + self.within).is_empty()
                    } else {
                        !within_unit(l, lo, hi).is_empty()
                    }
                })
            });
            if !vetoed {
                return Some(found);
            }
        }
        None
    }

    /// The tightest choice of one match per class that fits (the shortest,
    /// then the first). Each match of
    /// the first class anchors a search among the matches of the others
    /// that could fit beside it, a bounded number of them, so the work
    /// stays small whatever the text.
    fn combine(&self, per_class: &[Vec<Span>]) -> Option<Span> {
        let mut best: Option<Span> = None;
        let fits = |a: Span, b: Span| a.end.max(b.end) - a.start.min(b.start) <= self.within;
        for &anchor in &per_class[0] {
            let from = anchor.end.saturating_sub(self.within);
            let near: Vec<Vec<Span>> = per_class[1..]
                .iter()
                .map(|l| {
                    l[l.partition_point(|s| s.start < from)..]
                        .iter()
                        .take_while(|s| s.start <= anchor.start + self.within)
                        .copied()
                        .filter(|s| fits(anchor, *s))
                        .take(MAX_MATCHES)
                        .collect()
                })
                .collect();
            if near.iter().any(Vec::is_empty) {
                continue;
            }
            let mut index = vec![0usize; near.len()];
            loop {
                let chosen: Vec<Span> = std::iter::once(anchor)
                    .chain(index.iter().zip(&near).map(|(i, l)| l[*i]))
                    .collect();
                let start = chosen.iter().map(|s| s.start).min().unwrap_or(0);
                let end = chosen.iter().map(|s| s.end).max().unwrap_or(0);
                let in_order = !self.ordered || chosen.windows(2).all(|w| w[0].start <= w[1].start);
                if in_order
                    && end - start <= self.within
                    && best.is_none_or(|b| (end - start, start) < (b.end - b.start, b.start))
                {
                    best = Some(Span { start, end });
                }
                // Next combination, like an odometer.
                let mut k = 0;
                loop {
                    if k == index.len() {
                        break;
                    }
                    index[k] += 1;
                    if index[k] < near[k].len() {
                        break;
                    }
                    index[k] = 0;
                    k += 1;
                }
                if k == index.len() {
                    break;
                }
            }
        }
        best
    }
}

/// The spans of a sorted list that lie inside `lo..hi`, found by binary
/// search, so long texts with many sentences stay linear.
fn within_unit(list: &[Span], lo: usize, hi: usize) -> Vec<Span> {
    list[list.partition_point(|s| s.start < lo)..]
        .iter()
        .take_while(|s| s.start < hi)
        .filter(|s| s.end <= hi)
        .copied()
        .collect()
}

/// What a text matched: the first passage found, and the labels of every
/// labelled condition that matched anywhere in it.
struct Match {
    prepared: Prepared,
    span: Span,
    labels: Vec<String>,
}

impl PhrasesCheck {
    /// The first passage of `text` that some condition finds, in any
    /// language. Unlabelled rules stop at the first match; labelled ones
    /// go on to name everything the text holds.
    fn find(&self, text: &str) -> Option<Match> {
        let text = unescape(text);
        let normal = normalise_text(&text);
        let found = self.prefilter.as_ref().map(|p| p.matches(&normal));
        // A passage one language ignores is ignored in every language: the
        // others' patterns only meet its words by accident ("positive
        // ... feedback" is Italian too), and a statement such as "we are
        // not allowed to ask for positive feedback" never counts.
        let mut blank = Vec::new();
        for (i, language) in self.languages.iter().enumerate() {
            match (&self.prefilter, &found) {
                (Some(prefilter), Some(found)) => {
                    let slots = &prefilter.slots[i];
                    language.mark_ignored(&normal, |k| found[slots.ignore[k]], &mut blank);
                }
                _ => language.mark_ignored(&normal, |_| true, &mut blank),
            }
        }
        let blanked = blanked(&normal, &blank);
        // A blanked text is a new text, searched anew.
        let found = match (&self.prefilter, &blanked) {
            (Some(prefilter), Cow::Owned(blanked)) => Some(prefilter.matches(blanked)),
            _ => found,
        };
        // Built on first need: most texts never get past the prefilter.
        let mut original: Option<Vec<char>> = None;
        let mut sentence_units: Option<Vec<(usize, usize)>> = None;
        let mut first: Option<Span> = None;
        let mut labels: Vec<String> = Vec::new();
        for (i, language) in self.languages.iter().enumerate() {
            let present = match (&self.prefilter, &found) {
                (Some(prefilter), Some(found)) => match prefilter.slots[i].present(found) {
                    Some(present) => Some(present),
                    None => continue,
                },
                _ => None,
            };
            let spans = language.spans(&blanked, present.as_deref());
            let original = original.get_or_insert_with(|| text.chars().collect());
            let sentence_units = sentence_units.get_or_insert_with(|| sentences(original));
            let whole = [(0, original.len())];
            for condition in &self.when {
                if first.is_some() && condition.label.as_ref().is_none_or(|l| labels.contains(l)) {
                    continue;
                }
                let units: &[(usize, usize)] = if condition.whole_text {
                    &whole
                } else {
                    sentence_units
                };
                if let Some(span) = condition.find(&spans, units) {
                    first.get_or_insert(span);
                    if let Some(label) = &condition.label
                        && !labels.contains(label)
                    {
                        labels.push(label.clone());
                    }
                }
            }
        }
        first.map(|span| Match {
            prepared: Prepared {
                original: original.unwrap_or_else(|| text.chars().collect()),
            },
            span,
            labels,
        })
    }
}

impl Slots {
    /// Which of the language's classes match somewhere in the text the set
    /// searched, or None when no condition can fire there: each lacks a
    /// class that matches nowhere.
    ///
    /// Exact, not a guess: a set reports every pattern with a match
    /// anywhere in the text (empty ones too), and the full path searches
    /// that very text (after blanking, the set searches the blanked text).
    /// A class the set finds nowhere has no span, and a condition missing
    /// one class never fires.
    fn present(&self, found: &[bool]) -> Option<Vec<bool>> {
        let matched = |k: usize| self.classes[k].iter().any(|&s| found[s]);
        let possible = self.conditions.iter().any(|all| {
            all.as_ref()
                .is_some_and(|all| all.iter().all(|&k| matched(k)))
        });
        possible.then(|| (0..self.classes.len()).map(matched).collect())
    }
}

/// The matched passage with a little context on each side, after the
/// labels of what was found.
fn excerpt(found: &Match, mask: bool) -> String {
    let (prepared, span) = (&found.prepared, found.span);
    const SIDE: usize = 30;
    let chars = &prepared.original;
    let from = span.start.saturating_sub(SIDE);
    let to = (span.end + SIDE).min(chars.len());
    let body: String = chars[from..to].iter().collect();
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < chars.len() { "…" } else { "" };
    let labels = if found.labels.is_empty() {
        String::new()
    } else {
        format!("[{}] ", found.labels.join(", "))
    };
    format!("{labels}{lead}{}{tail}", privacy::excerpt(&body, 200, mask))
}

/// Sellers send one template to many buyers, word for word: each
/// distinct text (subject and body) is matched once per rule, and its
/// excerpt kept once. Bounded, so an account of all-different texts does
/// not hold an index of every text. A message is known by the handles of
/// its subject and body (equal texts of one source have equal handles), an
/// insert by its text, which is hashed here, so the hasher is a fast one.
struct Seen<K> {
    /// Each text's excerpt in [`Excerpts`], or `None` when it does not match.
    texts: HashMap<K, Option<u32>, foldhash::fast::RandomState>,
}

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen {
            texts: HashMap::default(),
        }
    }
}

/// The distinct excerpts of one rule's matches; a match holds its place.
type Excerpts = Vec<String>;

impl<K: std::hash::Hash + Eq> Seen<K> {
    const LIMIT: usize = 1 << 14;

    /// The place in `excerpts` of the excerpt of the text known by `key`.
    fn excerpt(
        &mut self,
        key: K,
        excerpts: &mut Excerpts,
        find: impl FnOnce() -> Option<String>,
    ) -> Option<u32> {
        if let Some(&at) = self.texts.get(&key) {
            return at;
        }
        let at = find().map(|excerpt| {
            excerpts.push(excerpt);
            u32::try_from(excerpts.len() - 1).unwrap_or(u32::MAX)
        });
        if self.texts.len() < Self::LIMIT {
            self.texts.insert(key, at);
        }
        at
    }
}

/// One matching text: which row of which source, and its excerpt's place.
/// Evidence is written only for the matches a rule keeps: a per-order
/// rule can match most of a big account's messages and keep a few.
#[derive(Clone, Copy)]
struct Found {
    source: Source,
    row: usize,
    excerpt: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Messages,
    Inserts,
}

impl Check for PhrasesCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let mut found = Vec::new();
        let mut excerpts = Excerpts::new();
        let a = ctx.account;
        let messages = a
            .messages
            .as_ref()
            .filter(|_| self.sources.contains(&"messages"));
        if let Some(messages) = messages {
            let mut seen = Seen::default();
            for (row, m) in messages.rows.iter().enumerate().filter(|(_, m)| m.outbound) {
                let matched = seen.excerpt((m.subject, m.body), &mut excerpts, || {
                    self.find(&m.text(&messages.texts))
                        .map(|matched| excerpt(&matched, ctx.mask))
                });
                if let Some(excerpt) = matched {
                    found.push(Found {
                        source: Source::Messages,
                        row,
                        excerpt,
                    });
                }
            }
        }
        let inserts = a
            .inserts
            .as_ref()
            .filter(|_| self.per_order.is_none() && self.sources.contains(&"inserts"));
        if let Some(inserts) = inserts {
            let mut seen = Seen::default();
            for (row, i) in inserts.rows.iter().enumerate() {
                let matched = seen.excerpt(i.text.as_str(), &mut excerpts, || {
                    self.find(&i.text)
                        .map(|matched| excerpt(&matched, ctx.mask))
                });
                if let Some(excerpt) = matched {
                    found.push(Found {
                        source: Source::Inserts,
                        row,
                        excerpt,
                    });
                }
            }
        }
        // The order a match is about: only messages name one.
        let order_of = |f: &Found| match (f.source, messages) {
            (Source::Messages, Some(messages)) => messages.rows[f.row].order_id.as_ref(),
            _ => None,
        };
        let mut occurrences = found.len() as u64;
        let form;
        let message = match self.per_order {
            Some(min) => {
                let mut per_order: HashMap<&OrderId, usize> = HashMap::new();
                for order in found.iter().filter_map(order_of) {
                    *per_order.entry(order).or_default() += 1;
                }
                found.retain(|f| order_of(f).is_some_and(|o| per_order[o] >= min));
                let orders = per_order.values().filter(|n| **n >= min).count();
                // The first message of each order is allowed; every further
                // one is a violation of its own.
                occurrences = (found.len() - orders) as u64;
                form = MessageForm::new(
                    "phrases_per_order",
                    &[
                        ("orders", orders.to_string()),
                        ("min", min.to_string()),
                        ("total", found.len().to_string()),
                    ],
                );
                format!(
                    "{orders} {} received {min} or more matching messages ({} in all)",
                    if orders == 1 { "order" } else { "orders" },
                    found.len()
                )
            }
            None => {
                let in_messages = found
                    .iter()
                    .filter(|f| f.source == Source::Messages)
                    .count();
                let in_inserts = found.len() - in_messages;
                form = MessageForm::new(
                    "phrases",
                    &[
                        ("messages", in_messages.to_string()),
                        ("inserts", in_inserts.to_string()),
                    ],
                );
                let mut parts = Vec::new();
                if in_messages > 0 {
                    let noun = if in_messages == 1 {
                        "outbound message"
                    } else {
                        "outbound messages"
                    };
                    parts.push(format!("{in_messages} {noun}"));
                }
                if in_inserts > 0 {
                    let noun = if in_inserts == 1 {
                        "package insert or template"
                    } else {
                        "package inserts or templates"
                    };
                    parts.push(format!("{in_inserts} {noun}"));
                }
                format!(
                    "{} {} the wording this rule forbids",
                    parts.join(" and "),
                    if found.len() == 1 { "uses" } else { "use" }
                )
            }
        };
        if found.is_empty() {
            return None;
        }
        let evidence = |f: &Found| {
            let excerpt = excerpts
                .get(f.excerpt as usize)
                .cloned()
                .unwrap_or_default();
            match (f.source, messages, inserts) {
                (Source::Messages, Some(messages), _) => {
                    Some(message_evidence(messages, &messages.rows[f.row], excerpt))
                }
                (Source::Inserts, _, Some(inserts)) => {
                    let i = &inserts.rows[f.row];
                    Some(Evidence {
                        file: inserts.file.clone(),
                        line: Some(i.line),
                        key: i.id.clone(),
                        excerpt,
                    })
                }
                // A match is only ever found in a source that is there.
                _ => None,
            }
        };
        Some(Hit {
            status: FindingStatus::Breach,
            message,
            occurrences,
            evidence: found.iter().filter_map(evidence).collect(),
            severity: None,
            form: Some(form),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let mut out = vec![("sources".into(), self.sources.join(", "))];
        if let Some(n) = self.per_order {
            out.push(("per_order".into(), n.to_string()));
        }
        for (i, c) in self.when.iter().enumerate() {
            let place = if c.whole_text {
                "anywhere in the text"
            } else {
                "in one sentence"
            };
            let mut text = if c.all.len() == 1 {
                format!("{} {place}", c.all[0])
            } else {
                format!("{} within {} chars {place}", c.all.join(" + "), c.within)
            };
            if c.ordered {
                text.push_str(", in this order");
            }
            if !c.unless.is_empty() {
                text.push_str(&format!(", unless {}", c.unless.join(" or ")));
            }
            if let Some(label) = &c.label {
                text.push_str(&format!(" → \"{label}\""));
            }
            out.push((format!("when[{}]", i + 1), text));
        }
        for l in &self.languages {
            let mut classes: Vec<String> = l
                .classes
                .iter()
                .map(|(name, res)| format!("{name} ({})", res.len()))
                .collect();
            if !l.ignore.is_empty() {
                classes.push(format!("ignore ({})", l.ignore.len()));
            }
            out.push((format!("terms.{}", l.name), classes.join(", ")));
        }
        out
    }
}

#[cfg(test)]
mod tests;
