//! The JSON API, one module per resource; each exposes `router()` with its documented routes.

pub mod action_bodies;
pub mod audit;
pub mod credentials;
pub mod documents;
pub mod exports;
pub mod inbox;
pub mod jobs;
pub mod meetings;
pub mod period_reports;
pub mod personal_data;
pub mod registry;
pub mod reports;
pub mod retention;
pub mod rights;
pub mod sectoral_report;
pub mod service;
pub mod settings;
pub mod stats;
pub mod tickets;
pub mod verify;
