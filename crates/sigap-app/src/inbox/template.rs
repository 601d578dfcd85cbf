//! The report template for mail, published on the home page and in the acknowledgement:
//! one `Field: value` line per field of the report form, in Indonesian or English; the
//! description, the proof of concept and the evidence may run over several lines, up to the
//! next field. [`read`] takes what a mail's text says of the fields (quoted lines of an
//! earlier message, `> …`, are skipped) as the JSON fields of a report request, so that the
//! help desk completes the rest and the same checks apply as to the web form.

use serde_json::{Map, Value};

/// A field of the template: the report request's key, the labels it is written with (any
/// case), and whether its value may run over several lines.
struct Field {
    key: &'static str,
    labels: &'static [&'static str],
    multiline: bool,
}

const FIELDS: &[Field] = &[
    Field {
        key: "title",
        labels: &["judul", "title", "subject", "perihal"],
        multiline: false,
    },
    Field {
        key: "target",
        labels: &["target", "sasaran", "sistem", "system", "url"],
        multiline: false,
    },
    Field {
        key: "vulnerability_type",
        labels: &[
            "cwe",
            "jenis kerentanan",
            "vulnerability type",
            "vulnerability",
        ],
        multiline: false,
    },
    Field {
        key: "severity",
        labels: &["tingkat keparahan", "keparahan", "severity"],
        multiline: false,
    },
    Field {
        key: "cvss_vector",
        labels: &["cvss", "cvss vector", "vektor cvss"],
        multiline: false,
    },
    Field {
        key: "reporter_name",
        labels: &["nama", "nama pelapor", "name", "reporter"],
        multiline: false,
    },
    Field {
        key: "reporter_phone",
        labels: &["telepon", "no. telepon", "nomor telepon", "phone", "telp"],
        multiline: false,
    },
    Field {
        key: "credit",
        labels: &["kredit", "credit"],
        multiline: false,
    },
    Field {
        key: "description",
        labels: &["deskripsi", "uraian", "description"],
        multiline: true,
    },
    Field {
        key: "proof_of_concept",
        labels: &[
            "bukti konsep",
            "proof of concept",
            "poc",
            "langkah reproduksi",
            "steps to reproduce",
        ],
        multiline: true,
    },
    Field {
        key: "evidence_text",
        labels: &["bukti", "evidence", "log"],
        multiline: true,
    },
];

/// The template as the help desk publishes it, in Indonesian with the English labels.
pub const TEMPLATE: &str = "Judul / Title: \n\
Target / Sasaran: https://\n\
Jenis kerentanan / CWE: CWE-\n\
Tingkat keparahan / Severity: rendah | sedang | tinggi | kritis\n\
CVSS: \n\
Nama / Name: \n\
Telepon / Phone: \n\
Deskripsi / Description:\n\n\
Bukti konsep / Proof of concept:\n\n\
Bukti / Evidence:\n";

/// The field a line opens, with the rest of the line.
fn field_of(line: &str) -> Option<(&'static Field, &str)> {
    let line = line.trim_start_matches(['-', '*', ' ', '\t']);
    let (label, rest) = line.split_once(':')?;
    // `Judul / Title:` names one field twice.
    let names: Vec<String> = label.split('/').map(|l| l.trim().to_lowercase()).collect();
    if names.iter().any(|n| n.is_empty() || n.len() > 40) {
        return None;
    }
    let field = FIELDS
        .iter()
        .find(|f| names.iter().all(|n| f.labels.contains(&n.as_str())))?;
    // `CVSS:3.1/AV:N…` is the value of the `CVSS:` line, not a label `CVSS` with `3.1/…`.
    if field.key == "cvss_vector" && rest.starts_with(|c: char| c.is_ascii_digit()) {
        return Some((field, line.trim()));
    }
    Some((field, rest.trim()))
}

/// The report fields `text` gives, as JSON (empty when it does not follow the template).
pub fn read(text: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut open: Option<(&'static Field, String)> = None;
    for line in text.lines() {
        if line.trim_start().starts_with('>') {
            continue;
        }
        if let Some((field, rest)) = field_of(line) {
            close(&mut open, &mut fields);
            open = Some((field, rest.to_owned()));
            if !field.multiline {
                close(&mut open, &mut fields);
            }
            continue;
        }
        if closes(line) {
            // The greeting or the signature under the last field is not part of it.
            close(&mut open, &mut fields);
            continue;
        }
        if let Some((_, value)) = open.as_mut() {
            value.push('\n');
            value.push_str(line);
        }
    }
    close(&mut open, &mut fields);
    fields
}

/// Whether `line` ends a mail's fields: the signature separator or a closing greeting.
fn closes(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    lower == "--"
        || [
            "salam",
            "hormat kami",
            "terima kasih",
            "regards",
            "best regards",
            "kind regards",
            "thanks",
            "thank you",
            "cheers",
        ]
        .iter()
        .any(|w| {
            // "Salam," or "Terima kasih banyak" alone on its line; not a sentence.
            lower == *w
                || lower.starts_with(&format!("{w},"))
                || (lower.starts_with(&format!("{w} ")) && lower.len() < w.len() + 25)
        })
}

/// The report's keys in the template's order (for showing what a mail gave).
pub fn keys() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|f| f.key)
}

/// Keeps the value of the field being read, the first time the field is given.
fn close(open: &mut Option<(&'static Field, String)>, fields: &mut Map<String, Value>) {
    if let Some((field, value)) = open.take() {
        let value = value.trim().to_owned();
        if !value.is_empty() && !fields.contains_key(field.key) {
            fields.insert(
                field.key.to_owned(),
                Value::String(normalise(field, &value)),
            );
        }
    }
}

/// Reads a severity written in Indonesian as the form's word.
fn normalise(field: &Field, value: &str) -> String {
    if field.key != "severity" {
        return value.to_owned();
    }
    match value.trim().to_lowercase().as_str() {
        "rendah" => "low",
        "sedang" => "medium",
        "tinggi" => "high",
        "kritis" | "kritikal" => "critical",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Whether `fields` hold everything a report needs besides the reporter's address (the
/// name may come from the sender's display name, added by the caller): the
/// mail may then become a ticket without the help desk (`SIGAP_EMAIL_AUTO_ACCEPT=on`).
pub fn complete(fields: &Map<String, Value>, has_files: bool) -> bool {
    let has = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    };
    [
        "reporter_name",
        "target",
        "vulnerability_type",
        "severity",
        "proof_of_concept",
    ]
    .iter()
    .all(|k| has(k))
        && (has_files || has("evidence_text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_mail_gives_its_fields_in_either_language() {
        let text = "Selamat siang,\n\n\
            Nama: Rina Putri\n\
            Judul: SQL injection pada PPDB\n\
            Target: https://ppdb.batam.go.id/daftar\n\
            CWE: CWE-89\n\
            Tingkat keparahan: Tinggi\n\
            CVSS: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N\n\
            Deskripsi:\n  Parameter id tidak disaring.\n  Data siswa terbaca.\n\
            Proof of concept:\nsqlmap -u 'https://ppdb.batam.go.id/daftar?id=1'\n\
            Bukti: lihat lampiran\n\n\
            Salam,\nRina\n\
            > Judul: kutipan lama\n";
        let fields = read(text);
        assert_eq!(fields["title"], "SQL injection pada PPDB");
        assert_eq!(fields["target"], "https://ppdb.batam.go.id/daftar");
        assert_eq!(fields["vulnerability_type"], "CWE-89");
        assert_eq!(fields["severity"], "high");
        assert_eq!(
            fields["cvss_vector"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
        );
        assert_eq!(
            fields["description"],
            "Parameter id tidak disaring.\n  Data siswa terbaca."
        );
        assert_eq!(
            fields["proof_of_concept"],
            "sqlmap -u 'https://ppdb.batam.go.id/daftar?id=1'"
        );
        assert_eq!(fields["evidence_text"], "lihat lampiran");
        assert!(complete(&fields, false));
        let english = read("Title / Judul: XSS\nSeverity: critical\nTarget: portal.batam.go.id\n");
        assert_eq!(english["title"], "XSS");
        assert_eq!(english["severity"], "critical");
        assert!(!complete(&english, true));
    }

    #[test]
    fn the_blank_template_is_not_complete_and_prose_gives_nothing() {
        let fields = read(TEMPLATE);
        assert!(fields.contains_key("target") && !fields.contains_key("proof_of_concept"));
        assert!(!complete(&fields, true));
        assert!(read("Halo, saya menemukan celah: tolong dicek.\nTerima kasih").is_empty());
    }
}
