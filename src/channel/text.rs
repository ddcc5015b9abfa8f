//! Fitting text into a service's limits: truncation with `…` and "and N more" summaries.

/// The ellipsis that marks a cut.
pub const ELLIPSIS: char = '…';

/// At most `limit` characters (Unicode scalar values), cut with `…` when longer.
pub fn truncate_chars(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    if limit == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push(ELLIPSIS);
    cut
}

/// Length as JavaScript counts it (UTF-16 code units), which is how Discord measures.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// At most `limit` UTF-16 code units, cut with `…` when longer.
pub fn truncate_utf16(text: &str, limit: usize) -> String {
    if utf16_len(text) <= limit {
        return text.to_string();
    }
    if limit == 0 {
        return String::new();
    }
    let mut cut = String::new();
    let mut used = 0;
    for character in text.chars() {
        let width = character.len_utf16();
        if used + width > limit - 1 {
            break;
        }
        cut.push(character);
        used += width;
    }
    cut.push(ELLIPSIS);
    cut
}

/// The first `shown` items and, when some are left out, a final "and N more" item.
pub fn summarise_list(items: &[String], shown: usize) -> Vec<String> {
    if items.len() <= shown {
        return items.to_vec();
    }
    let keep = shown.saturating_sub(1);
    let mut list: Vec<String> = items[..keep].to_vec();
    list.push(format!("and {} more", items.len() - keep));
    list
}

/// A list item is cut to this many characters, so one long item cannot crowd out the rest.
pub const ITEM_LIMIT: usize = 300;

/// Joins lines while they fit in `limit` characters, ending with "and N more" when they do not.
/// `more` is how many items the list stands for beyond `lines` (a few shown of many): the
/// "and N more" counts them too, and ends the list even when every line fits.
pub fn join_within(
    lines: &[String],
    more: usize,
    separator: &str,
    limit: usize,
    measure: fn(&str) -> usize,
) -> String {
    let total = lines.len().saturating_add(more);
    let mut text = String::new();
    for (index, line) in lines.iter().enumerate() {
        let candidate = if text.is_empty() {
            line.clone()
        } else {
            format!("{text}{separator}{line}")
        };
        let left = total - index - 1;
        let tail = if left > 0 {
            format!("{separator}and {left} more")
        } else {
            String::new()
        };
        if measure(&candidate) + measure(&tail) > limit {
            let rest = total - index;
            let more = format!("and {rest} more");
            return if text.is_empty() {
                // Not even the first line fits: show as much of it as there is room for.
                let tail = format!("{separator}{more}");
                let room = limit.saturating_sub(measure(&tail));
                let first = truncate_measured(line, room, measure);
                if first.is_empty() {
                    truncate_chars(&more, limit)
                } else {
                    format!("{first}{tail}")
                }
            } else if measure(&text) + measure(separator) + measure(&more) <= limit {
                format!("{text}{separator}{more}")
            } else {
                truncate_chars(&text, limit)
            };
        }
        text = candidate;
    }
    if more > 0 {
        // The last line was only taken with this tail in room.
        let tail = format!("and {more} more");
        return if text.is_empty() {
            truncate_chars(&tail, limit)
        } else {
            format!("{text}{separator}{tail}")
        };
    }
    text
}

/// The longest prefix of `text` (with `…`) whose `measure` is at most `limit`.
fn truncate_measured(text: &str, limit: usize, measure: fn(&str) -> usize) -> String {
    if measure(text) <= limit {
        return text.to_string();
    }
    let mut cut = String::new();
    for character in text.chars() {
        let mut candidate = cut.clone();
        candidate.push(character);
        candidate.push(ELLIPSIS);
        if measure(&candidate) > limit {
            break;
        }
        cut.push(character);
    }
    if cut.is_empty() {
        return String::new();
    }
    cut.push(ELLIPSIS);
    cut
}

/// A response body as a one-line reason for an error message: trimmed, on one line, at
/// most 200 characters; `None` when empty.
pub fn one_line_reason(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| truncate_chars(&text.replace(['\n', '\r'], " "), 200))
}

pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate_chars("abcdef", 6), "abcdef");
        assert_eq!(truncate_chars("abcdef", 4), "abc…");
        assert_eq!(truncate_chars("ééééé", 3), "éé…");
        assert_eq!(truncate_chars("abc", 0), "");
        assert_eq!(truncate_utf16("a😀😀", 3), "a…");
        assert_eq!(utf16_len("a😀"), 3);
    }

    #[test]
    fn summarises_lists() {
        let items: Vec<String> = (1..=5).map(|n| n.to_string()).collect();
        assert_eq!(summarise_list(&items, 5), items);
        assert_eq!(summarise_list(&items, 3), vec!["1", "2", "and 3 more"]);
    }

    #[test]
    fn joins_within_a_limit() {
        let lines: Vec<String> = (0..100).map(|n| format!("line {n}")).collect();
        let text = join_within(&lines, 0, "\n", 40, char_count);
        assert!(char_count(&text) <= 40, "{text}");
        assert!(text.ends_with("more"), "{text}");
        assert!(text.starts_with("line 0\nline 1\n"), "{text}");
        let long: Vec<String> = vec!["x".repeat(500), "short".into()];
        let text = join_within(&long, 0, "\n", 40, char_count);
        assert!(char_count(&text) <= 40, "{text}");
        assert!(
            text.starts_with("xxx") && text.contains("…\nand 2 more"),
            "{text}"
        );
        let few: Vec<String> = vec!["a".into(), "b".into()];
        assert_eq!(join_within(&few, 0, ", ", 40, char_count), "a, b");
    }

    #[test]
    fn the_items_a_list_leaves_out_are_counted() {
        let few: Vec<String> = vec!["a".into(), "b".into()];
        // Everything shown fits: the left-out ones are still said.
        assert_eq!(
            join_within(&few, 3, ", ", 40, char_count),
            "a, b, and 3 more"
        );
        // Cut short: the count covers the lines cut and the ones never given.
        let lines: Vec<String> = (0..5).map(|n| format!("line {n}")).collect();
        let text = join_within(&lines, 55, "\n", 30, char_count);
        assert_eq!(text, "line 0\nline 1\nand 58 more");
        assert_eq!(join_within(&[], 7, "\n", 30, char_count), "and 7 more");
        assert_eq!(join_within(&[], 0, "\n", 30, char_count), "");
    }
}
