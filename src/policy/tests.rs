//! Policy loading: the default packs, overrides, and every kind of mistake
//! reported at once with its file:line:column.

use super::*;

fn defaults() -> Vec<(String, String)> {
    DEFAULT_PACKS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

fn with(extra: &str) -> Vec<(String, String)> {
    let mut files = defaults();
    files.push(("custom.toml".into(), extra.into()));
    files
}

fn errors(files: &[(String, String)]) -> String {
    load_texts(files)
        .expect_err("policies should be rejected")
        .0
}

#[test]
fn every_file_in_policies_is_compiled_in() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = format!("policies/{}", entry.unwrap().file_name().to_string_lossy());
        assert!(
            DEFAULT_PACKS.iter().any(|(n, _)| *n == name),
            "{name} is not in DEFAULT_PACKS"
        );
    }
}

#[test]
fn default_packs_define_the_spec_rules() {
    let set = load_texts(&defaults()).unwrap();
    for id in [
        "PERF-ODR",
        "PERF-LSR-10",
        "PERF-LSR-30",
        "PERF-CR",
        "PERF-VTR",
        "PERF-OTDR",
        "REV-POSITIVE",
        "REV-INCENTIVE",
        "IP-COMPLAINT",
        "IP-COUNTERFEIT",
        "LIST-COMPLAINT",
    ] {
        assert!(set.rule(id).is_some(), "{id} missing");
    }
    let expected = [
        ("PERF-ODR", Severity::High),
        ("PERF-LSR-10", Severity::Medium),
        ("PERF-OTDR", Severity::Low),
        ("REV-INCENTIVE", Severity::Critical),
        ("IP-COUNTERFEIT", Severity::Critical),
    ];
    for (id, severity) in expected {
        assert_eq!(set.rule(id).unwrap().severity, severity, "{id}");
    }
    assert_eq!(set.scoring.start, 200);
}

#[test]
fn an_override_changes_keys_and_can_switch_a_rule_off() {
    let set = load_texts(&with(
        "[[rule]]\nid = \"PERF-ODR\"\nbreach_above = 0.02\n\n[[rule]]\nid = \"PERF-OTDR\"\nenabled = false\n\n[scoring]\nstart = 300\n",
    ))
    .unwrap();
    let odr = set.rule("PERF-ODR").unwrap();
    assert_eq!(
        odr.check.metric().unwrap().breach,
        crate::exact::Decimal::from_f64(0.02).unwrap()
    );
    assert_eq!(
        odr.title, "Order Defect Rate above 1%",
        "untouched keys stay"
    );
    assert!(!set.rule("PERF-OTDR").unwrap().enabled);
    assert_eq!(set.scoring.start, 300);
    assert_eq!(set.scoring.critical_cap, 99, "scoring keys merge");
}

#[test]
fn a_new_rule_of_an_existing_kind_needs_no_code() {
    let set = load_texts(&with(
        r#"[[rule]]
id = "CLAIMS-OPEN"
title = "Open A-to-z claims"
category = "performance"
severity = "medium"
appeal = "appealable"
check = "count"
source = "claims"
window_days = 90
where = { status = ["open"] }
breach_at_least = 2
remediation = "Answer every open claim within 72 hours."
"#,
    ))
    .unwrap();
    assert_eq!(set.rule("CLAIMS-OPEN").unwrap().check_kind, "count");
}

#[test]
fn every_problem_is_reported_at_once_with_file_line_and_column() {
    let text = r#"[[rule]]
id = "BAD-ONE"
title = "x"
category = "performance"
severity = "hihg"
appeal = "appealable"
check = "rate"
metric = "order_defect_rate"
window_days = "sixty"
breach_abve = 0.01
remediation = "x"

[[rule]]
id = "BAD-TWO"
title = "x"
category = "reviews"
severity = "high"
appeal = "appealable"
check = "txt"
remediation = "x"

[[rule]]
id = "BAD-THREE"
title = "x"
category = "reviews"
severity = "high"
appeal = "appealable"
check = "text"
patterns = ['(unclosed']
remediation = "x"

[[rule]]
id = "BAD-ONE"
title = "duplicate"
"#;
    let out = errors(&with(text));
    assert!(
        out.contains("custom.toml:5:13"),
        "severity value located:\n{out}"
    );
    assert!(out.contains("did you mean `high`?"), "{out}");
    assert!(
        out.contains("custom.toml:9:16"),
        "wrong type located:\n{out}"
    );
    assert!(out.contains("must be an integer, found a string"), "{out}");
    assert!(out.contains("unknown key `breach_abve`"), "{out}");
    assert!(out.contains("did you mean `breach_above`?"), "{out}");
    assert!(out.contains("`check` in rule `BAD-TWO` is `txt`"), "{out}");
    assert!(out.contains("did you mean `text`?"), "{out}");
    assert!(
        out.contains("bad regex in `patterns` of rule `BAD-THREE`"),
        "{out}"
    );
    assert!(out.contains("custom.toml:29:14"), "regex located:\n{out}");
    assert!(out.contains("duplicate rule id `BAD-ONE`"), "{out}");
    assert!(
        out.contains("custom.toml:33:7"),
        "duplicate located:\n{out}"
    );
    assert!(
        out.trim_end().ends_with("6 problems in the policies"),
        "{out}"
    );
}

#[test]
fn thresholds_out_of_range_and_contradictions_are_errors() {
    let out = errors(&with(
        "[[rule]]\nid = \"PERF-ODR\"\nbreach_above = 1.5\n\n[[rule]]\nid = \"PERF-LSR-10\"\nwarn_above = 0.05\n\n[[rule]]\nid = \"PERF-VTR\"\nbreach_above = 0.9\n",
    ));
    assert!(
        out.contains("`breach_above` in rule `PERF-ODR` is 1.5; it must be from 0 to 1"),
        "{out}"
    );
    assert!(out.contains("rates are fractions"), "{out}");
    assert!(
        out.contains("warning level 0.05 is past its breach level 0.04"),
        "{out}"
    );
    assert!(
        out.contains("both `breach_above` and `breach_below`"),
        "{out}"
    );
}

#[test]
fn syntax_errors_and_unknown_tables_are_located() {
    let out = errors(&with("[[rule]\nid = 1\n"));
    assert!(out.contains("invalid TOML"), "{out}");
    assert!(out.contains("custom.toml:1:"), "{out}");
    let out = errors(&with("[rules]\nid = \"X\"\n"));
    assert!(out.contains("unknown top-level key `rules`"), "{out}");
    assert!(out.contains("did you mean `rule`?"), "{out}");
}

#[test]
fn count_filters_name_real_columns() {
    let out = errors(&with(
        "[[rule]]\nid = \"IP-COMPLAINT\"\nwhere = { knd = [\"trademark\"] }\n",
    ));
    assert!(
        out.contains("names `knd`, which is not a complaints column"),
        "{out}"
    );
    assert!(out.contains("did you mean `kind`?"), "{out}");
}

#[test]
fn without_defaults_a_scoring_table_is_required() {
    let files = vec![(
        "only.toml".to_string(),
        "[[rule]]\nid = \"X\"\nenabled = false\n".to_string(),
    )];
    let out = errors(&files);
    assert!(out.contains("no `[scoring]` table"), "{out}");
}

#[test]
fn huge_policy_files_are_refused() {
    let big = format!("# {}\n", "x".repeat(tree::MAX_POLICY_BYTES));
    let out = errors(&with(&big));
    assert!(out.contains("the limit is"), "{out}");
}

#[test]
fn the_assurance_bar_is_policy_and_can_be_overridden() {
    let set = load_texts(&with("[scoring.assurance]\nmin_ahr = 300\n")).unwrap();
    assert_eq!(set.scoring.assurance.min_ahr, 300);
    assert_eq!(set.scoring.assurance.months, 6, "untouched keys stay");
    assert_eq!(set.scoring.assurance.marketplaces, vec!["US", "CA"]);
    let err = errors(&with("[scoring.assurance]\nmin_arh = 300\n"));
    assert!(err.contains("min_arh"), "{err}");
}

#[test]
fn appeal_templates_and_checklist_are_validated_and_overridable() {
    let set = load_texts(&with(
        "[[appeal]]\nrule = \"PERF-ODR\"\ncorrective_actions = [\"We fixed it.\"]\n\n[[checklist]]\ntopic = \"VAT\"\nquestion = \"Is VAT registered in Poland?\"\n",
    ))
    .unwrap();
    let odr = set.appeal_template("perf-odr").unwrap();
    assert_eq!(odr.corrective_actions, ["We fixed it."]);
    assert!(
        odr.preventive_measures.is_empty(),
        "an override replaces the whole template"
    );
    assert_eq!(
        set.appeal_template("PERF-CR").unwrap().rule,
        "*",
        "the fallback"
    );
    let vat = set.checklist.iter().find(|i| i.topic == "VAT").unwrap();
    assert_eq!(vat.question, "Is VAT registered in Poland?");
    let out = errors(&with(
        "[[appeal]]\nrule = \"PERF-ODR\"\ncorrective_action = [\"x\"]\n",
    ));
    assert!(
        out.contains("unknown key `corrective_action` in an `[[appeal]]`"),
        "{out}"
    );
    assert!(out.contains("did you mean `corrective_actions`?"), "{out}");
}

#[test]
fn every_enabled_default_rule_and_template_has_chinese_texts() {
    let set = load_texts(&defaults()).unwrap();
    for rule in set.enabled() {
        let zh = rule
            .translations
            .get("zh-CN")
            .unwrap_or_else(|| panic!("{} has no [rule.zh-CN]", rule.id));
        let has_han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(
            has_han(&zh.title),
            "{}: zh-CN title {:?}",
            rule.id,
            zh.title
        );
        assert!(
            has_han(&zh.remediation),
            "{}: zh-CN remediation {:?}",
            rule.id,
            zh.remediation
        );
    }
    for template in &set.appeals {
        let zh = template.in_lang(crate::i18n::Lang::ZhCn);
        assert_eq!(
            zh.corrective_actions.len(),
            template.corrective_actions.len(),
            "{}",
            template.rule
        );
        assert_ne!(
            zh.corrective_actions, template.corrective_actions,
            "{} has no zh-CN actions",
            template.rule
        );
    }
    for item in &set.checklist {
        let (topic, question) = item.in_lang(crate::i18n::Lang::ZhCn);
        assert_ne!(question, item.question, "{}", item.topic);
        assert_ne!(topic, item.topic, "{}", item.topic);
    }
}

#[test]
fn unknown_keys_in_translations_are_located() {
    let out = errors(&with(
        "[[rule]]\nid = \"PERF-ODR\"\n\n[rule.zh-CN]\ntitle = \"订单缺陷率\"\nremedation = \"x\"\n",
    ));
    assert!(
        out.contains("custom.toml:6:1")
            && out.contains("unknown key `remedation` in `[rule.zh-CN]` of `PERF-ODR`"),
        "{out}"
    );
    assert!(out.contains("did you mean `remediation`?"), "{out}");
    let out = errors(&with(
        "[[appeal]]\nrule = \"PERF-ODR\"\n[appeal.zh-CN]\ndocument = [\"发票\"]\n\n[[checklist]]\ntopic = \"VAT\"\nquestion = \"q\"\n[checklist.zh-CN]\nquestoin = \"问题\"\n",
    ));
    assert!(
        out.contains("custom.toml:4:1") && out.contains("unknown key `document`"),
        "{out}"
    );
    assert!(
        out.contains("custom.toml:10:1") && out.contains("unknown key `questoin`"),
        "{out}"
    );
    let out = errors(&with(
        "[[rule]]\nid = \"PERF-ODR\"\n\n[rule.zh-cn]\ntitle = \"x\"\n",
    ));
    assert!(out.contains("did you mean `zh-CN`?"), "{out}");
}

#[test]
fn a_translation_overrides_like_any_key() {
    let set = load_texts(&with(
        "[[rule]]\nid = \"PERF-ODR\"\n\n[rule.zh-CN]\ntitle = \"订单缺陷率过高\"\n",
    ))
    .unwrap();
    let zh = &set.rule("PERF-ODR").unwrap().translations["zh-CN"];
    assert_eq!(zh.title, "订单缺陷率过高");
}
