//! Near-miss suggestions for misspelt names: "did you mean `last_name`?", or the list of the
//! names that exist when nothing is close.

/// Most names listed in a help before it is cut short.
const MAX_LISTED: usize = 8;

/// The candidate closest to `word`, if it is close enough to be a likely typo: compared
/// case-insensitively, with transpositions counting as one edit.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (distance(&word, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// A help line for a name that is not among `candidates`: a suggestion when one is close,
/// else the names there are (`what` names them, such as "tags"), or that there are none.
pub fn help<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> Option<String> {
    if let Some(near) = closest(word, candidates.clone()) {
        return Some(format!("did you mean `{near}`?"));
    }
    let names: Vec<&str> = candidates.into_iter().collect();
    if names.is_empty() {
        return Some(format!("no {what} are declared"));
    }
    Some(format!("{what}: {}", list(&names)))
}

/// Names as a backticked, comma-separated list, cut short after a few.
pub fn list(names: &[&str]) -> String {
    let mut text: Vec<String> =
        names.iter().take(MAX_LISTED).map(|name| format!("`{name}`")).collect();
    if names.len() > MAX_LISTED {
        text.push(format!("and {} more", names.len() - MAX_LISTED));
    }
    text.join(", ")
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost one.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in table.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in table.iter_mut().take(width).enumerate() {
        *cell = j;
    }

    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_intended_name() {
        let keys = ["email", "first_name", "last_name", "role", "teams"];
        assert_eq!(closest("lastname", keys), Some("last_name"));
        assert_eq!(closest("last_nmae", keys), Some("last_name"));
        assert_eq!(closest("Role", keys), Some("role"));
        assert_eq!(closest("phone", keys), None);
    }

    #[test]
    fn help_lists_names_when_nothing_is_close() {
        let tags = ["VIP", "Moroso"];
        assert_eq!(help("Mayorista", tags, "tags").unwrap(), "tags: `VIP`, `Moroso`");
        assert_eq!(help("vipp", tags, "tags").unwrap(), "did you mean `VIP`?");
        assert_eq!(help("x", [], "tags").unwrap(), "no tags are declared");
    }
}
