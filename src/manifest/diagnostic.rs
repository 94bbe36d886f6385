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
        Self {
            problem: Box::new(problem),
            source: Some(file.named_source()),
            labels: vec![LabeledSpan::new_primary_with_span(Some(label), span)],
            order: (id, span.offset()),
        }
    }

    /// A problem with no place in a file, such as a file that cannot be read.
    pub fn without_source(problem: Problem) -> Self {
        Self { problem: Box::new(problem), source: None, labels: Vec::new(), order: (0, 0) }
    }

    /// Adds a secondary label in the same file.
    pub fn with_label(mut self, span: SourceSpan, text: impl Into<String>) -> Self {
        self.labels.push(LabeledSpan::new_with_span(Some(text.into()), span));
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
