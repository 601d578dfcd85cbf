//! Meetings scheduled for a step of a ticket: the rows, and the [`Store`] / [`Tx`] methods
//! that forward to the backend functions in `meetings.rs`.

use sigap_core::{MeetingPurpose, MeetingStatus};

use crate::{Result, Store, Tx};

/// A meeting to store (status `scheduled`, sequence 0).
#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    pub ticket_id: i64,
    pub purpose: MeetingPurpose,
    pub round: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: Option<&'a str>,
    pub video_url: Option<&'a str>,
    /// JSON: `[{"name": "...", "email": "..."}]`.
    pub attendees: &'a str,
    pub agency_invited: bool,
    /// The iCalendar UID, stable for the life of the meeting.
    pub uid: &'a str,
    pub created_by: Option<i64>,
    pub now: i64,
}

/// A change to a scheduled meeting.
#[derive(Debug, Clone)]
pub struct MeetingUpdate<'a> {
    pub id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: Option<&'a str>,
    pub video_url: Option<&'a str>,
    pub attendees: &'a str,
    pub agency_invited: bool,
    /// The next sequence number.
    pub sequence: i64,
    pub now: i64,
}

/// A stored meeting with its ticket's number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub purpose: MeetingPurpose,
    pub round: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: Option<String>,
    pub video_url: Option<String>,
    pub attendees: String,
    pub agency_invited: bool,
    pub sequence: i64,
    pub status: MeetingStatus,
    pub uid: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub cancel_reason: Option<String>,
    pub held_step_id: Option<i64>,
}

impl Store {
    pub async fn get_meeting(&self, id: i64) -> Result<Option<MeetingRow>> {
        read_pool!(self, get_meeting(id))
    }
    pub async fn list_meetings(&self, ticket_id: i64) -> Result<Vec<MeetingRow>> {
        read_pool!(self, list_meetings(ticket_id))
    }
}

impl Tx {
    pub async fn insert_meeting(&mut self, m: &NewMeeting<'_>) -> Result<i64> {
        write_tx!(self, insert_meeting(m))
    }
    pub async fn get_meeting(&mut self, id: i64) -> Result<Option<MeetingRow>> {
        write_tx!(self, get_meeting(id))
    }
    pub async fn count_meetings(&mut self, ticket_id: i64, purpose: MeetingPurpose) -> Result<i64> {
        write_tx!(self, count_meetings(ticket_id, purpose))
    }
    pub async fn update_meeting(&mut self, u: &MeetingUpdate<'_>) -> Result<bool> {
        write_tx!(self, update_meeting(u))
    }
    pub async fn cancel_meeting(
        &mut self,
        id: i64,
        sequence: i64,
        reason: &str,
        now: i64,
    ) -> Result<bool> {
        write_tx!(self, cancel_meeting(id, sequence, reason, now))
    }
    pub async fn mark_meeting_held(
        &mut self,
        id: i64,
        step_id: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        write_tx!(self, mark_meeting_held(id, step_id, now))
    }
}
