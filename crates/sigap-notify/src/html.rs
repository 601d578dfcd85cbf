//! HTML escaping for every value that goes into an HTML body. Message text is plain text
//! by construction; this is the one place where it becomes markup.

/// Escapes `&`, `<`, `>`, `"` and `'` so that `text` is inert both in element content and
/// in a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes `text` and keeps its line breaks visible as `<br>`.
pub fn escape_multiline(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("<br>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_become_entities() {
        assert_eq!(
            escape(r#"<script>alert("x'&")</script>"#),
            "&lt;script&gt;alert(&quot;x&#39;&amp;&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("Dinas Kominfo"), "Dinas Kominfo");
    }

    #[test]
    fn line_breaks_survive_escaping() {
        assert_eq!(escape_multiline("a<b\nc"), "a&lt;b<br>\nc");
    }
}
