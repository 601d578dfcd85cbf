//! Messages to the reporter (*pelapor*): the step-1 acknowledgement with the ticket number
//! and tracking link, the outcome of validation, the fix, the closing, and replies from the
//! CSIRT. Reporters read Indonesian or English, as they chose on the form.

use crate::messages::draft::{Block, Context, Draft};

/// The reporter's private tracking token, as issued at intake: 16 to 128 of `A-Z`, `a-z`,
/// `0-9`, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingToken(String);

impl TrackingToken {
    /// Checks the token's shape; `None` when it is not one sigap issues.
    pub fn parse(token: &str) -> Option<Self> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        ((16..=128).contains(&token.len()) && token.chars().all(allowed))
            .then(|| Self(token.to_owned()))
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn greeting(c: &Context<'_>) -> &'static str {
    c.t("Yth. Bapak/Ibu Pelapor,", "Dear reporter,")
}

fn tracking_link(c: &Context<'_>) -> Block {
    Block::Link {
        label: c
            .t("Pantau perkembangan laporan Anda", "Follow your report")
            .to_owned(),
        link: c.public.tracking(&c.ticket.number),
    }
}

/// Step 1: the report is a ticket now.
pub(crate) fn received(c: &Context<'_>, token: Option<&TrackingToken>) -> Draft {
    let mut draft = Draft::new(
        c.t("Laporan Anda telah diterima", "Your report was received"),
        greeting(c),
    )
    .para(c.t(
        "Terima kasih atas laporan kerentanan yang Anda sampaikan kepada BATAM-CSIRT. \
             Laporan tersebut telah kami terima dan dicatat dengan nomor tiket di atas. \
             Mohon cantumkan nomor tiket tersebut dalam setiap komunikasi selanjutnya.",
        "Thank you for reporting a vulnerability to BATAM-CSIRT. We have received your \
             report and recorded it under the ticket number above. Please quote that number \
             whenever you contact us about it.",
    ))
    .para(c.t(
        "Laporan Anda akan divalidasi oleh Tim Internal BATAM-CSIRT. Kami akan \
             memberitahukan hasilnya melalui surel ini.",
        "The BATAM-CSIRT team will now validate your report. We will tell you the \
             outcome by e-mail.",
    ))
    .block(tracking_link(c));
    if let Some(token) = token {
        draft = draft
            .facts(vec![(
                c.t("Kode pelacakan", "Tracking code"),
                token.as_str().to_owned(),
            )])
            .para(c.t(
                "Simpan kode pelacakan ini dan jangan bagikan kepada pihak lain: kode ini \
                 diperlukan untuk melihat laporan Anda.",
                "Keep this tracking code and do not share it: you need it to view your \
                 report.",
            ));
    }
    draft.para(c.t(
        "Mohon tidak mempublikasikan kerentanan ini sebelum penanganannya selesai.",
        "Please do not disclose this vulnerability until it has been fixed.",
    ))
}

/// After step 3: valid.
pub(crate) fn validated(c: &Context<'_>) -> Draft {
    Draft::new(
        c.t("Laporan Anda dinyatakan valid", "Your report is valid"),
        greeting(c),
    )
    .para(c.t(
        "Tim Internal BATAM-CSIRT telah melakukan validasi dan menyatakan laporan Anda \
             valid. Laporan akan ditindaklanjuti bersama perangkat daerah pemilik sistem \
             elektronik terkait sesuai prosedur yang berlaku.",
        "The BATAM-CSIRT team has validated your report and found it valid. It will be \
             handled with the regional agency that owns the system, following the \
             procedure.",
    ))
    .block(tracking_link(c))
}

/// After step 3: not valid, with the reason.
pub(crate) fn rejected(c: &Context<'_>, reason: &str) -> Draft {
    Draft::new(
        c.t(
            "Laporan Anda tidak dapat ditindaklanjuti",
            "Your report could not be accepted",
        ),
        greeting(c),
    )
    .para(c.t(
        "Setelah dilakukan validasi, Tim Internal BATAM-CSIRT menyatakan laporan Anda tidak \
         valid, dengan alasan sebagai berikut:",
        "After validation, the BATAM-CSIRT team found your report not valid, for this \
         reason:",
    ))
    .quote(reason)
    .para(c.t(
        "Terima kasih atas kepedulian Anda terhadap keamanan sistem elektronik Pemerintah \
         Kota Batam.",
        "Thank you for your care for the security of the City of Batam's electronic \
         systems.",
    ))
    .block(tracking_link(c))
}

/// After step 9: fixed.
pub(crate) fn fixed(c: &Context<'_>) -> Draft {
    Draft::new(
        c.t(
            "Kerentanan telah diperbaiki",
            "The vulnerability has been fixed",
        ),
        greeting(c),
    )
    .para(c.t(
        "Berdasarkan hasil rapat internal, kerentanan yang Anda laporkan telah \
             diperbaiki oleh perangkat daerah terkait. Tiket akan segera ditutup.",
        "The internal review meeting found that the agency concerned has fixed the \
             vulnerability you reported. The ticket will be closed shortly.",
    ))
    .block(tracking_link(c))
}

/// Step 10: closed.
pub(crate) fn closed(c: &Context<'_>) -> Draft {
    Draft::new(
        c.t("Tiket laporan Anda telah ditutup", "Your ticket is closed"),
        greeting(c),
    )
    .para(c.t(
        "Penanganan laporan Anda telah selesai dan tiket telah ditutup. Terima kasih \
             atas kontribusi Anda dalam menjaga keamanan siber Pemerintah Kota Batam.",
        "The handling of your report is complete and the ticket is closed. Thank you \
             for helping to keep the City of Batam's systems secure.",
    ))
    .block(tracking_link(c))
}

/// A reply from the CSIRT to the reporter.
pub(crate) fn reply(c: &Context<'_>, body: &str) -> Draft {
    Draft::new(
        c.t(
            "Tanggapan BATAM-CSIRT atas laporan Anda",
            "A reply from BATAM-CSIRT",
        ),
        greeting(c),
    )
    .para(c.t(
        "Tim Internal BATAM-CSIRT menyampaikan tanggapan berikut atas laporan Anda:",
        "The BATAM-CSIRT team sent you this reply about your report:",
    ))
    .quote(body)
    .para(c.t(
        "Anda dapat membalas melalui halaman pelacakan laporan.",
        "You can answer on the tracking page of your report.",
    ))
    .block(tracking_link(c))
}
