//! Source files of a manifest: reading them safely, and the table that diagnostics and spans
//! refer to by [`SourceId`].
//!
//! A manifest with `extends` spans several files; every node of the loaded tree remembers
//! which one it came from so an error can show the right file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;

use super::diagnostic::{Diagnostic, Problem};

/// Largest manifest file accepted, checked before anything is parsed.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Index of a file in [`Sources`].
pub type SourceId = u16;

/// One loaded file: the name shown in diagnostics and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name shown in diagnostics: the path as the user gave it.
    pub name: String,
    /// Where the file is on disk; `None` for text given directly.
    pub path: Option<PathBuf>,
    /// The file's text.
    pub text: Arc<str>,
}

impl SourceFile {
    /// The file as miette source code, for a diagnostic's snippet.
    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(&self.name, Arc::clone(&self.text)).with_language("yaml")
    }
}

/// Every file a manifest was loaded from, the top file first.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> SourceId {
        self.files.push(file);
        SourceId::try_from(self.files.len() - 1).unwrap_or(SourceId::MAX)
    }

    /// The file with this id.
    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(usize::from(id))
    }

    /// All files, the top file first.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}

/// Reads a manifest file as UTF-8 text, refusing files over [`MAX_FILE_BYTES`] before reading
/// them and pointing at the first byte that is not UTF-8.
pub fn read_file(path: &Path, name: &str) -> Result<SourceFile, Diagnostic> {
    use std::io::Read;

    let unreadable = |error: std::io::Error| {
        Diagnostic::without_source(Problem::Unreadable {
            path: name.to_owned(),
            reason: error.to_string(),
            help: None,
        })
    };

    // Check the size first so a huge file is never read into memory; the read is bounded too
    // in case the file grows in between or is not a regular file.
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(too_large(name, size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(name, bytes.len() as u64));
    }

    let text = decode(name, bytes)?;
    Ok(SourceFile { name: name.to_owned(), path: Some(path.to_path_buf()), text: text.into() })
}

/// Decodes UTF-8, or reports the first invalid byte with the text around it.
fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile { name: name.to_owned(), path: None, text: lossy.into() };
            // The lossy text keeps every valid byte in place up to the first bad one.
            Err(Diagnostic::at(Problem::NotUtf8 { offset }, &file, (offset, 1).into(), None))
        }
    }
}

fn too_large(name: &str, size: u64) -> Diagnostic {
    Diagnostic::without_source(Problem::TooLarge {
        path: name.to_owned(),
        size,
        limit: MAX_FILE_BYTES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_points_at_the_first_bad_byte() {
        let error = decode("m.yaml", b"version: 1\nname: \xff\xfe\n".to_vec()).unwrap_err();
        assert!(matches!(error.problem(), Problem::NotUtf8 { offset: 17 }));
    }

    #[test]
    fn sizes_over_the_cap_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let error = read_file(&path, "big.yaml").unwrap_err();
        assert!(matches!(error.problem(), Problem::TooLarge { .. }));
    }
}
