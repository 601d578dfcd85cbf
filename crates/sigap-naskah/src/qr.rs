//! The verification QR code: the document's `/verify/{code}` link (or its code alone, when
//! the server has no public address) as an SVG that the template draws next to the text.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::DocError;

/// The link as an SVG QR code (error correction level M, with its quiet zone).
pub(crate) fn svg(url: &str) -> Result<String, DocError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|error| DocError::QrCode(error.to_string()))?;
    Ok(code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(160, 160)
        .build())
}
