//! One problem placed in its file ([`Diagnostic`]), and every problem of a load at once
//! ([`Diagnostics`]).

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};

pub use super::problem::Problem;
use super::source::{SourceFile, SourceId};

/// A problem placed in its file: the source text and labelled spans, sortable into
/// document order.
#[derive(Debug)]
pub struct Diagnostic {
    problem: Box<Problem>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    order: (SourceId, usize),
    /// Set when the snippet shows a window of an overlong line instead of the whole file.
    window: Option<Box<Window>>,
}

/// Longest line a snippet shows whole; a longer one (a minified file, a huge value) is
/// cut to a window around the problem, so one diagnostic stays a few lines long.
const MAX_LINE: usize = 240;

/// The part of an overlong line a snippet shows: bytes `start..end` of the file, placed
/// after `newlines` line breaks so the snippet keeps the line's number.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: usize,
    end: usize,
    newlines: usize,
}

/// `text`, or its first `longest` characters and `…`: a value as a message quotes it.
pub fn excerpt(text: &str, longest: usize) -> String {
    match text.char_indices().nth(longest) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn char_boundary_at_or_before(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl Window {
    /// The window around `offset` of `text`, when its line is too long to show whole.
    fn around(text: &str, offset: usize) -> Option<Self> {
        let offset = offset.min(text.len());
        let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |at| offset + at);
        if line_end - line_start <= MAX_LINE {
            return None;
        }
        let start = match offset - line_start <= MAX_LINE / 2 {
            true => line_start,
            false => char_boundary_at_or_before(text, offset - MAX_LINE / 4),
        };
        let end = char_boundary_at_or_before(text, (start + MAX_LINE).min(line_end));
        let newlines = text.as_bytes()[..line_start].iter().filter(|b| **b == b'\n').count();
        Some(Self { start, end, newlines })
    }

    /// `span` of the file as a span of the window's text, cut to the window; `None` when
    /// it starts outside.
    fn place(&self, span: SourceSpan) -> Option<SourceSpan> {
        let offset = span.offset();
        if offset < self.start || offset > self.end {
            return None;
        }
        let length = span.len().min(self.end - offset);
        Some(SourceSpan::new((offset - self.start + self.newlines).into(), length))
    }

    fn source(&self, file: &SourceFile) -> NamedSource<Arc<str>> {
        let mut text = "\n".repeat(self.newlines);
        text.push_str(&file.text[self.start..self.end]);
        text.push_str(" …");
        NamedSource::new(&file.name, Arc::from(text)).with_language("yaml")
    }
}

impl Diagnostic {
    /// A problem at `span` of `file`, with the label text the problem suggests unless given.
    pub fn at(
        problem: Problem,
        file: &SourceFile,
        span: SourceSpan,
        label: Option<String>,
    ) -> Self {
        Self::in_file(problem, file, 0, span, label)
    }

    /// Like [`Diagnostic::at`], with the file's id for ordering.
    pub fn in_file(
        problem: Problem,
        file: &SourceFile,
        id: SourceId,
        span: SourceSpan,
        label: Option<String>,
    ) -> Self {
        let label = label.unwrap_or_else(|| "here".to_owned());
        let window = Window::around(&file.text, span.offset()).map(Box::new);
        let (source, shown) = match &window {
            Some(window) => (window.source(file), window.place(span).unwrap_or(span)),
            None => (file.named_source(), span),
        };
        Self {
            problem: Box::new(problem),
            source: Some(source),
            labels: vec![LabeledSpan::new_primary_with_span(Some(label), shown)],
            order: (id, span.offset()),
            window,
        }
    }

    /// A problem with no place in a file, such as a file that cannot be read.
    pub fn without_source(problem: Problem) -> Self {
        Self {
            problem: Box::new(problem),
            source: None,
            labels: Vec::new(),
            order: (0, 0),
            window: None,
        }
    }

    /// Adds a secondary label in the same file; left out when the snippet is a window of
    /// an overlong line that does not reach it.
    pub fn with_label(mut self, span: SourceSpan, text: impl Into<String>) -> Self {
        let shown = match &self.window {
            Some(window) => window.place(span),
            None => Some(span),
        };
        if let Some(span) = shown {
            self.labels.push(LabeledSpan::new_with_span(Some(text.into()), span));
        }
        self
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The file and offset this diagnostic points at, for document order.
    pub fn order(&self) -> (SourceId, usize) {
        self.order
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.problem, f)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Every problem found in one load, in document order.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the manifest has {} problem(s)", .items.len())]
#[diagnostic(code(manifest::invalid))]
pub struct Diagnostics {
    /// The problems, in document order.
    #[related]
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Sorts the problems into document order: by file, then by offset. The sort is stable so
    /// problems at one place keep the order the checks found them in.
    pub fn sorted(mut items: Vec<Diagnostic>) -> Self {
        items.sort_by_key(Diagnostic::order);
        Self { items }
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self { items: vec![diagnostic] }
    }
}
