//! Rendering of diagnostics on stderr, the same way for every command.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Diagnostics are rendered at a fixed width so output is the same in CI and on a terminal.
pub const WIDTH: usize = 100;

/// The handler every command renders diagnostics with.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme).with_width(WIDTH).with_links(false)
}

/// Renders one diagnostic with its snippets and help.
pub fn render(handler: &GraphicalReportHandler, diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    out
}

/// Prints every diagnostic to stderr.
pub fn print_all<T: Diagnostic>(items: &[T], color: bool) {
    let handler = handler(color);
    for item in items {
        eprint!("{}", render(&handler, item));
    }
}
