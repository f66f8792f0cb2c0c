//! Policy problems with their place: every problem is collected, then all
//! are printed rustc-style with file:line:column and a hint, before the tool
//! gives up.

use super::pattern::Patterns;
use std::fmt::Write as _;
use toml_span::Span;

/// One policy file's text, kept to turn byte offsets into lines and columns.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Where a value stands: which file, which bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub span: Span,
}

/// One problem found in the policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
}

/// Every policy file read, and every problem found in them; and the
/// patterns compiled from them, which live as long, so that a pattern
/// several rules hold is compiled once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub files: Vec<SourceFile>,
    pub problems: Vec<Diagnostic>,
    pub patterns: Patterns,
}

impl Diagnostics {
    pub fn add_file(&mut self, file: SourceFile) -> usize {
        self.files.push(file);
        self.files.len() - 1
    }

    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            loc,
            message: message.into(),
            help: None,
        });
    }

    pub fn error_with_help(
        &mut self,
        loc: Loc,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.problems.push(Diagnostic {
            loc,
            message: message.into(),
            help: Some(help.into()),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// `file:line:column` of a location.
    pub fn position(&self, loc: Loc) -> String {
        match self.files.get(loc.file) {
            Some(file) => {
                let (line, col) = file.line_col(loc.span.start);
                format!("{}:{line}:{col}", file.name)
            }
            None => "<policy>".to_string(),
        }
    }

    /// All problems, in file order, each with its source line underlined,
    /// and a count of the problems in `subject` ("the policies").
    pub fn render(&self, subject: &str) -> String {
        let mut sorted: Vec<&Diagnostic> = self.problems.iter().collect();
        sorted.sort_by_key(|d| (d.loc.file, d.loc.span.start));
        let mut out = String::new();
        for diag in sorted {
            let _ = writeln!(out, "error: {}", diag.message);
            if let Some(file) = self.files.get(diag.loc.file) {
                let (line, col) = file.line_col(diag.loc.span.start);
                let gutter = line.to_string().len();
                let text = file.line_text(line);
                let width = file
                    .text
                    .get(diag.loc.span.start..diag.loc.span.end)
                    .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
                let (text, pad, width) = snippet(text, col, width);
                let _ = writeln!(out, "{:gutter$}--> {}:{line}:{col}", "", file.name);
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{line} | {text}");
                // Padding by repeat, not by a format width: widths above
                // 65535 make `format!` panic, and a policy line can be longer.
                let _ = writeln!(
                    out,
                    "{:gutter$} | {}{}",
                    "",
                    " ".repeat(pad),
                    "^".repeat(width),
                );
            }
            if let Some(help) = &diag.help {
                let _ = writeln!(out, "  = help: {help}");
            }
            out.push('\n');
        }
        let count = self.problems.len();
        let _ = write!(
            out,
            "{count} problem{} in {subject}",
            if count == 1 { "" } else { "s" }
        );
        out
    }
}

/// How many characters of a source line an error shows.
const SNIPPET_CHARS: usize = 120;

/// The part of a source line around a 1-based column, with the caret's
/// offset and length inside it: a megabyte-long line shows as one screen
/// line, cut with `…` where it is cut.
fn snippet(text: &str, col: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    if chars.len() <= SNIPPET_CHARS {
        return (text.to_string(), at, width.max(1));
    }
    let start = at.saturating_sub(SNIPPET_CHARS / 3);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    let pad = at - start + usize::from(start > 0);
    let width = width.clamp(1, (end - at).max(1));
    (shown, pad, width)
}

/// The closest of `candidates` to `word`, when it is close enough to be
/// what the user meant (Jaro-Winkler similarity, as clap suggests flags).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("p.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        // `=` on line 2 comes after a two-byte character.
        assert_eq!(file.line_col(10), (2, 4));
    }

    #[test]
    fn a_huge_line_shows_as_a_short_snippet_under_its_caret() {
        let key = "y".repeat(200_000);
        let mut diags = Diagnostics::default();
        let text = format!("[[rule]]\nid = \"{key}\" = 3\n");
        let at = text.find("\" = 3").unwrap() + 2;
        let file = diags.add_file(SourceFile::new("x.toml", text));
        diags.error(
            Loc {
                file,
                span: Span::new(at, at + 1),
            },
            "expected a newline",
        );
        let out = diags.render("the policies");
        assert!(out.len() < 1000, "{}", out.len());
        assert!(out.contains("x.toml:2:200009"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let source = lines.iter().find(|l| l.starts_with("2 | ")).unwrap();
        let caret = lines.iter().find(|l| l.trim_end().ends_with('^')).unwrap();
        // The caret sits under the `=` it points at.
        let column = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(source.chars().nth(column), Some('='), "{out}");
        assert_eq!(snippet("short", 2, 3), ("short".to_string(), 1, 3));
    }

    #[test]
    fn suggests_near_names_only() {
        let keys = ["breach_above", "warn_above", "window_days"];
        assert_eq!(did_you_mean("breach_abve", keys), Some("breach_above"));
        assert_eq!(did_you_mean("window_day", keys), Some("window_days"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(
            did_you_mean("PERF-ODX", ["PERF-ODR", "PERF-CR"]),
            Some("PERF-ODR")
        );
    }

    #[test]
    fn renders_every_problem_with_its_place() {
        let mut diags = Diagnostics::default();
        let file = diags.add_file(SourceFile::new("x.toml", "[[rule]]\nid = 3\n"));
        diags.error_with_help(
            Loc {
                file,
                span: Span::new(14, 15),
            },
            "`id` must be a string",
            "write id = \"MY-RULE\"",
        );
        let text = diags.render("the policies");
        assert!(text.contains("--> x.toml:2:6"), "{text}");
        assert!(text.contains("2 | id = 3"), "{text}");
        assert!(text.contains("= help: write id"), "{text}");
        assert!(text.ends_with("1 problem in the policies"), "{text}");
    }
}
