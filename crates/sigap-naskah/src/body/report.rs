//! The periodic report (*Laporan Bulanan/Triwulanan/Tahunan Penanganan Insiden Siber*): the
//! figures of a period for leadership, with the charts of the dashboard, the agencies'
//! table, the tickets closed and still open, and the CSIRT lead's narrative.

use serde::Serialize;

/// The sections of a periodic report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    /// `LAPORAN BULANAN PENANGANAN INSIDEN SIBER`.
    pub title: String,
    /// `Periode November 2026`.
    pub period: String,
    /// The CSIRT lead's words, one paragraph per item (may be empty).
    pub narrative: Vec<String>,
    /// The headline figures, label and value.
    pub figures: Vec<ReportFigure>,
    /// The tables of the dashboard, each with the chart drawn above it (an index of
    /// `charts`, when it has one).
    pub tables: Vec<ReportTable>,
    /// The charts as SVG, served to the template as `/chart/{i}`.
    #[serde(skip)]
    pub charts: Vec<String>,
    /// Tickets closed in the period, and the total when the list is cut.
    pub closed: TicketList,
    /// Tickets open at the end of the period.
    pub open: TicketList,
}

/// A headline figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFigure {
    pub label: String,
    pub value: String,
}

/// A table with its caption, its part's heading and its chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTable {
    /// The part it belongs to (`Laporan masuk`), printed before its first table.
    pub part: String,
    pub caption: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The index of its chart in [`PeriodReport::charts`].
    pub chart: Option<usize>,
}

/// Tickets listed by number, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TicketList {
    pub rows: Vec<TicketLine>,
    pub total: u64,
}

/// One ticket in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketLine {
    pub number: String,
    pub agency: String,
    pub state: String,
    pub criticality: String,
    pub date: String,
}
