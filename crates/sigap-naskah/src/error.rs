//! What can go wrong while numbering or rendering a document.

/// An error from [`crate::render`] or [`crate::number`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocError {
    /// A number pattern without `{n}` or `{seq}` would give every document the same number.
    #[error(
        "the number pattern `{0}` has no `{{n}}` or `{{seq}}`: every document would get the same number"
    )]
    PatternWithoutSeq(String),
    /// A number pattern without `{year}` would repeat its numbers every year.
    #[error(
        "the number pattern `{0}` has no `{{year}}`: the running number restarts every year, so \
         its numbers would come back"
    )]
    PatternWithoutYear(String),
    /// A number pattern names a placeholder that does not exist.
    #[error(
        "the number pattern `{pattern}` has an unknown placeholder `{{{name}}}`; \
         known: {{n}}, {{seq}}, {{roman_month}}, {{month}}, {{year}}"
    )]
    UnknownPlaceholder {
        /// The pattern as given.
        pattern: String,
        /// The unknown name between the braces.
        name: String,
    },
    /// A number pattern has a `{` without its `}`.
    #[error("the number pattern `{0}` has an unclosed `{{`")]
    UnclosedPlaceholder(String),
    /// An image (the logo or a screenshot) is neither PNG nor JPEG, or there are too many.
    #[error("image rejected: {0}")]
    Image(String),
    /// The verification link could not be encoded as a QR code (it is too long).
    #[error("the verification link cannot be drawn as a QR code: {0}")]
    QrCode(String),
    /// The typesetter failed; this is a defect in a template or in the model's checks.
    #[error("typesetting failed: {0}")]
    Typeset(String),
    /// The PDF could not be written.
    #[error("PDF export failed: {0}")]
    Pdf(String),
}
