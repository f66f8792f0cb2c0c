use super::*;
use crate::policy::diagnostics::{Diagnostics, Loc};
use crate::policy::tree::{self, Value};

/// Reads one rule body (the keys after `check = "phrases"`); returns the
/// check, or the rendered problems.
fn try_check(body: &str) -> Result<PhrasesCheck, String> {
    let mut diags = Diagnostics::default();
    let table = tree::parse(&mut diags, "test.toml", body, "").expect("valid TOML");
    let mut p = Params::new(table, "rule `T`".into(), Loc::default(), &mut diags);
    let check = read(&mut p);
    p.finish(KIND.keys);
    match check {
        Some(check) if diags.is_empty() => Ok(check),
        _ => Err(diags.render("the policies")),
    }
}

fn check(body: &str) -> PhrasesCheck {
    try_check(body).unwrap_or_else(|e| panic!("{e}"))
}

fn passage(c: &PhrasesCheck, text: &str) -> Option<String> {
    c.find(text).map(|m| {
        m.prepared.original[m.span.start..m.span.end]
            .iter()
            .collect()
    })
}

const POSITIVE: &str = r#"
when = [{ all = ["positive", "review"], within = 30 }]
[terms.en]
ignore = ['\b5 star hotel\b']
positive = ['\b(5|five)[- ]?stars?\b', '\bpositive\b']
review = ['\breviews?\b']
[terms.zh]
positive = ['五星']
review = ['好评']
"#;

#[test]
fn classes_must_meet_within_the_distance_in_one_sentence() {
    let c = check(POSITIVE);
    assert_eq!(
        passage(&c, "Please leave us a 5-star review today").as_deref(),
        Some("5-star review")
    );
    // Too far apart, and in two sentences: neither counts.
    assert_eq!(
        passage(
            &c,
            "We make 5 star products for every kitchen in the country and beyond, so leave a review"
        ),
        None
    );
    assert_eq!(passage(&c, "Five stars for us. Review later"), None);
    // "24.99" and "example.com" do not end a sentence.
    assert!(passage(&c, "Only 24.99 for a 5 star review").is_some());
}

#[test]
fn distances_count_characters_so_cjk_works_without_spaces() {
    let c = check(POSITIVE);
    assert_eq!(
        passage(&c, "亲，麻烦给个五星好评哦").as_deref(),
        Some("五星好评")
    );
    assert_eq!(passage(&c, "五星。好评"), None, "。 ends a sentence");
}

#[test]
fn ignore_blanks_passages_before_matching() {
    let c = check(POSITIVE);
    assert_eq!(passage(&c, "Our 5 star hotel pans got a review"), None);
    assert!(passage(&c, "Our hotel pans deserve a 5 star review").is_some());
}

#[test]
fn a_passage_one_language_ignores_is_ignored_in_all() {
    // "positive" and "feedback" are Italian words too: the Italian table
    // must not find in English what the English table set aside.
    let c = check(
        r#"
when = [{ all = ["positive", "review"], within = 40 }]
[terms.en]
ignore = ['\bnot allowed to ask for[^,.]*']
positive = ['\bpositive\b']
review = ['\bfeedback\b', '\breviews?\b']
[terms.it]
positive = ['\bpositiv[oaie]\b']
review = ['\bfeedback\b']
"#,
    );
    let text = "We are not allowed to ask for positive feedback";
    assert_eq!(passage(&c, text), None);
    // What is not ignored still counts, in either language.
    assert!(passage(&c, "Please leave positive feedback").is_some());
    assert!(passage(&c, "Lasciate un feedback positivo").is_some());
}

#[test]
fn languages_never_combine() {
    let c = check(POSITIVE);
    // An English qualifier and a Chinese review word are not a match.
    assert_eq!(passage(&c, "five stars 好评"), None);
}

#[test]
fn text_is_normalised_but_excerpts_keep_the_original() {
    let c = check(POSITIVE);
    // Full-width letters and digits, upper case, a literal `\n`.
    let m = c
        .find("Ｐｌｅａｓｅ\\nleave a ＰＯＳＩＴＩＶＥ REVIEW")
        .expect("matches");
    let found: String = m.prepared.original[m.span.start..m.span.end]
        .iter()
        .collect();
    assert_eq!(found, "ＰＯＳＩＴＩＶＥ REVIEW");
    assert_eq!(
        excerpt(&m, false),
        "Ｐｌｅａｓｅ leave a ＰＯＳＩＴＩＶＥ REVIEW"
    );
    assert_eq!(normalise('’'), '\'');
    assert_eq!(normalise('–'), '-');
}

#[test]
fn ordered_and_unless_and_text_scope() {
    let c = check(
        r#"
when = [
  { all = ["happy", "review"], within = 60, scope = "text", ordered = true },
  { all = ["change", "review"], within = 20, unless = ["thanks"] },
]
[terms.en]
happy = ['\bif you are happy\b', '\bhappy\?']
review = ['\breviews?\b']
change = ['\bupdate\b']
thanks = ['\bthank you\b']
"#,
    );
    assert!(passage(&c, "Happy? Please leave a review.").is_some());
    assert_eq!(passage(&c, "Read the reviews. Happy?"), None, "order");
    assert!(passage(&c, "Could you update your review?").is_some());
    assert_eq!(
        passage(&c, "Thank you, we will update your review reply."),
        None
    );
}

#[test]
fn per_sentence_work_is_bounded() {
    let c = check(POSITIVE);
    // Matches close to the review word are found even after many others.
    let long = "5 stars ".repeat(2000) + "review";
    assert_eq!(passage(&c, &long).as_deref(), Some("5 stars review"));
    let many = "review 5 stars ".repeat(500);
    assert_eq!(passage(&c, &many).as_deref(), Some("review 5 stars"));
}

#[test]
fn policy_mistakes_are_reported_with_their_place() {
    let err = try_check(
        r#"
when = [{ all = ["postive", "review"] }]
[terms.en]
positive = ['x']
review = ['Review']
"#,
    )
    .unwrap_err();
    assert!(err.contains("`postive`"), "{err}");
    assert!(err.contains("did you mean `positive`?"), "{err}");
    assert!(err.contains("upper-case letter"), "{err}");

    let err = try_check(
        r#"
when = [{ all = ["positive", "review"] }]
[terms.en]
positive = ['x']
review = ['y']
[terms.de]
postive = ['x']
review = ['y']
other = ['z']
"#,
    )
    .unwrap_err();
    assert!(err.contains("`postive` of `terms.de`"), "{err}");
    assert!(!err.contains("`other`"), "unused but no typo: {err}");

    let err =
        try_check("when = [{ all = [\"a\"], within = 0 }]\n[terms.en]\na = ['(']\n").unwrap_err();
    assert!(err.contains("bad regex"), "{err}");
    assert!(err.contains("within"), "{err}");

    let err = try_check("[terms.en]\na = ['x']\n").unwrap_err();
    assert!(err.contains("has no `when`"), "{err}");
    let err = try_check("when = [{ all = [\"a\"], scope = \"txt\" }]\n[terms.en]\na = ['x']\n")
        .unwrap_err();
    assert!(err.contains("did you mean `text`?"), "{err}");
}

#[test]
fn escapes_are_not_upper_case_letters() {
    assert_eq!(first_unnormal_literal(r"\p{Han}\x{FE0F}\xFF\B\W\D"), None);
    assert_eq!(first_unnormal_literal(r"\p{Han}A"), Some('A'));
    assert_eq!(first_unnormal_literal("[A-Z]"), Some('A'));
}

#[test]
fn characters_text_never_holds_are_named() {
    // Full-width punctuation, curly quotes and dashes are normalised away.
    assert_eq!(first_unnormal_literal("[^，。]"), Some('，'));
    assert_eq!(first_unnormal_literal("don’t"), Some('’'));
    assert_eq!(first_unnormal_literal("e–mail"), Some('–'));
    // What normalisation keeps: CJK, the ideographic full stop, kana, ★.
    assert_eq!(first_unnormal_literal("[^,。!]{0,6}好评|レビュー|★"), None);
    let err = try_check("when = [{ all = [\"a\"] }]\n[terms.zh]\na = ['[^，。！]{0,6}好评']\n")
        .unwrap_err();
    assert!(err.contains("has `，` (U+FF0C)"), "{err}");
    assert!(err.contains("write `,` instead"), "{err}");
}

#[test]
fn sentences_split_on_line_breaks_and_end_punctuation() {
    let chars: Vec<char> = "A b. C\nD！E? example.com".chars().collect();
    let parts: Vec<String> = sentences(&chars)
        .into_iter()
        .map(|(a, b)| chars[a..b].iter().collect())
        .collect();
    assert_eq!(parts, ["A b.", " C\n", "D！", "E?", " example.com"]);
}

#[test]
fn long_texts_find_the_passage_in_their_last_sentence() {
    let c = check(POSITIVE);
    let text = "A five star kitchen. Reviews of blenders. ".repeat(5000) + "Leave a 5 star review.";
    let m = c.find(&text).expect("found");
    assert_eq!(m.span.end, text.chars().count() - 1);
}

/// The rule bodies of every `phrases` rule in a policy file.
fn phrase_rules(name: &str, text: &str) -> Vec<(String, PhrasesCheck)> {
    let mut diags = Diagnostics::default();
    let file = tree::parse(&mut diags, name, text, "").expect("valid TOML");
    let mut out = Vec::new();
    for entry in file.entries.into_iter().filter(|e| e.key == "rule") {
        let Value::Array(rules) = entry.node.value else {
            panic!("[[rule]] is an array")
        };
        for rule in rules {
            let Value::Table(table) = rule.value else {
                continue;
            };
            let is = |key: &str, want: &str| {
                table
                    .entries
                    .iter()
                    .any(|e| e.key == key && matches!(&e.node.value, Value::Str(s) if s == want))
            };
            if !is("check", "phrases") {
                continue;
            }
            let id = table
                .entries
                .iter()
                .find_map(|e| match (&*e.key, &e.node.value) {
                    ("id", Value::Str(s)) => Some(s.clone()),
                    _ => None,
                })
                .expect("rule id");
            let mut p = Params::new(table, id.clone(), Loc::default(), &mut diags);
            let check =
                read(&mut p).unwrap_or_else(|| panic!("{id}: {}", diags.render("the policies")));
            out.push((id, check));
        }
    }
    out
}

/// What `find` returns, comparable: passage, labels, the whole text.
fn outcome(c: &PhrasesCheck, text: &str) -> Option<(usize, usize, Vec<String>, String)> {
    c.find(text).map(|m| {
        (
            m.span.start,
            m.span.end,
            m.labels,
            m.prepared.original.iter().collect(),
        )
    })
}

/// Checks `fast` (with its prefilter) against the same rule without one,
/// which takes the full path in every language.
fn assert_same(id: &str, fast: &PhrasesCheck, slow: &PhrasesCheck, text: &str) {
    assert!(slow.prefilter.is_none());
    assert_eq!(
        outcome(fast, text),
        outcome(slow, text),
        "{id}: prefilter and full path disagree on {text:?}"
    );
}

const TRICKY: &str = r#"
when = [
  { all = ["positive", "review"], within = 30 },
  { all = ["glued"], label = "glued" },
  { all = ["spaced"], label = "spaced" },
  { all = ["empty", "review"], label = "empty" },
]
[terms.en]
ignore = ['\b5 star hotel\b', 'hot', ' and ', 'x*']
positive = ['\b(5|five)[- ]?stars?\b', '\bpositive\b']
review = ['\breviews?\b']
glued = ['\bstar\b']
spaced = ['a +b']
empty = ['\bzz\b', 'q*']
[terms.zh]
ignore = ['五星级']
positive = ['五星']
review = ['好评']
glued = ['\b星']
"#;

#[test]
fn the_prefilter_never_skips_what_the_full_path_finds() {
    let fast = check(TRICKY);
    let mut slow = check(TRICKY);
    slow.prefilter = None;
    assert!(fast.prefilter.is_some());
    let texts = [
        // Blanking creates the match: "hot" goes, `\bstar\b` appears.
        "hotstar",
        "our hotstar product",
        // " and " goes, and "a +b" matches across the blank.
        "a and b",
        // Ignore passages right next to the terms.
        "5 star hotel review",
        "5 star hotelreview 5 star",
        "a 5 star hotel. positive review",
        // Empty matches never count, even where the set sees one.
        "review",
        "zz review",
        "qq review",
        // CJK, full-width, upper case, literal `\n`.
        "亲，麻烦给个五星好评哦",
        "五星级酒店好评",
        "五星级星光",
        "星光",
        "ＰＯＳＩＴＩＶＥ ＲＥＶＩＥＷ",
        "Please leave a POSITIVE\\nREVIEW",
        "hot\u{3000}star",
        // No terms at all, and nothing.
        "Your order has shipped.",
        "",
        " ",
    ];
    for text in texts {
        assert_same("TRICKY", &fast, &slow, text);
    }
    // The cases where only blanking makes the match are found, not skipped.
    assert_eq!(
        passage(&fast, "our hotstar product").as_deref(),
        Some("star")
    );
    assert_eq!(passage(&fast, "a and b").as_deref(), Some("a and b"));
    assert_eq!(passage(&fast, "五星级星光").as_deref(), Some("星"));
    assert_eq!(passage(&fast, "review"), None, "`q*` matches only empty");
    assert!(passage(&fast, "qq review").is_some());
    assert!(passage(&fast, "zz review").is_some());
}

#[test]
fn the_prefilter_agrees_with_the_full_path_on_the_default_rules_and_corpora() {
    let policies = [
        (
            "reviews.toml",
            include_str!("../../../policies/reviews.toml"),
        ),
        (
            "messages.toml",
            include_str!("../../../policies/messages.toml"),
        ),
    ];
    let corpora = [
        include_str!("../../../tests/corpus/solicitation.tsv"),
        include_str!("../../../tests/corpus/solicitation-extra.tsv"),
        include_str!("../../../tests/corpus/messages.tsv"),
    ];
    let mut texts: Vec<String> = corpora
        .iter()
        .flat_map(|c| c.lines().skip(1))
        .filter_map(|line| line.split('\t').nth(4))
        .map(str::to_string)
        .collect();
    // The same texts shouting, and in full-width letters.
    let loud: Vec<String> = texts.iter().map(|t| t.to_uppercase()).collect();
    let wide: Vec<String> = texts
        .iter()
        .map(|t| {
            t.chars()
                .map(|c| match c {
                    '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    _ => c,
                })
                .collect()
        })
        .collect();
    texts.extend(loud);
    texts.extend(wide);
    assert!(texts.len() > 2000, "{}", texts.len());
    let mut rules = 0;
    for (name, text) in policies {
        let fast = phrase_rules(name, text);
        let mut slow = phrase_rules(name, text);
        for ((id, fast), (_, slow)) in fast.iter().zip(slow.iter_mut()) {
            assert!(fast.prefilter.is_some(), "{id} has a prefilter");
            slow.prefilter = None;
            for text in &texts {
                assert_same(id, fast, slow, text);
            }
            rules += 1;
        }
    }
    assert!(rules >= 6, "{rules}");
}

#[test]
fn a_repeated_text_is_matched_once_per_rule() {
    let mut seen = Seen::default();
    let mut excerpts = Excerpts::new();
    let mut calls = 0;
    let mut ask = |key: (Option<&'static str>, &'static str), answer: Option<&str>| {
        let at = seen.excerpt(key, &mut excerpts, || {
            calls += 1;
            answer.map(str::to_string)
        });
        at.map(|at| excerpts[at as usize].clone())
    };
    assert_eq!(
        ask((Some("Thanks"), "5 stars?"), Some("x")),
        Some("x".into())
    );
    assert_eq!(ask((Some("Thanks"), "5 stars?"), None), Some("x".into()));
    assert_eq!(
        ask((None, "5 stars?"), None),
        None,
        "no subject is another text"
    );
    assert_eq!(ask((None, "5 stars?"), Some("y")), None);
    assert_eq!(calls, 2);
    assert_eq!(excerpts, ["x"], "an excerpt is kept once");
}
