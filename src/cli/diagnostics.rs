//! Rendering of diagnostics on stderr, the same way for every command.

use std::sync::OnceLock;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Diagnostics are rendered at a fixed width so output is the same in CI and on a terminal.
pub const WIDTH: usize = 100;

/// Whether diagnostics are coloured: decided once, for stderr, at start-up.
static COLOR: OnceLock<bool> = OnceLock::new();

/// Sets whether diagnostics are coloured; the first call wins.
pub fn set_color(color: bool) {
    let _ = COLOR.set(color);
}

/// The handler every command renders diagnostics with.
pub fn handler() -> GraphicalReportHandler {
    let color = COLOR.get().copied().unwrap_or(false);
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
pub fn print_all<T: Diagnostic>(items: &[T]) {
    let handler = handler();
    for item in items {
        eprint!("{}", render(&handler, item));
    }
}
