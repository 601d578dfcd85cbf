//! The ticket's swim-lane diagram: the SOP's ten steps as columns, its actors as lanes
//! (Help Desk, Tim Internal CSIRT, Pejabat Nama Domain, Penanggung Jawab Sistem Elektronik,
//! and the Sekretaris Daerah for the approval under the "> 3 reports" rule), each step in the
//! lane of the actor who performs it. [`swimlane`] is pure: from the ticket's state,
//! criticality, block, round and timeline it marks every step done, current, next, skipped
//! or not needed. [`view`] puts the words on it for the page, which renders it as an
//! ordered list of boxes in SOP order that wraps to the page's width, each box naming its
//! actor (its lane, also its colour) and its state in words (never colour alone).

use chrono::{DateTime, Utc};
use sigap_app::views::{TicketView, TimelineEntry};
use sigap_core::{Action, Criticality, INTAKE_ROLE, Role, State, acting_role};

use crate::pages::PageLang;
use crate::pages::countdown::{Countdown, countdown};

/// One actor of the SOP, a lane of the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    HelpDesk,
    Csirt,
    DomainOfficer,
    SystemOwner,
    RegionalSecretary,
}

impl Lane {
    /// The lanes from top to bottom.
    pub const ALL: [Lane; 5] = [
        Lane::HelpDesk,
        Lane::Csirt,
        Lane::DomainOfficer,
        Lane::SystemOwner,
        Lane::RegionalSecretary,
    ];

    /// The lane of `role`. Admins and auditors act in no step; [`acting_role`] never
    /// names them, and they would be drawn with the CSIRT.
    pub fn of(role: Role) -> Lane {
        match role {
            Role::Helpdesk => Lane::HelpDesk,
            Role::DomainOfficer => Lane::DomainOfficer,
            Role::SystemOwner => Lane::SystemOwner,
            Role::RegionalSecretary => Lane::RegionalSecretary,
            Role::Csirt | Role::Admin | Role::Auditor => Lane::Csirt,
        }
    }

    /// The role that acts in this lane.
    pub fn role(self) -> Role {
        match self {
            Lane::HelpDesk => Role::Helpdesk,
            Lane::Csirt => Role::Csirt,
            Lane::DomainOfficer => Role::DomainOfficer,
            Lane::SystemOwner => Role::SystemOwner,
            Lane::RegionalSecretary => Role::RegionalSecretary,
        }
    }
}

/// One box of the diagram: an SOP step, or the part of one that another actor performs
/// (step 10 is the domain officer's unblock and the CSIRT's closing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Receive,
    Enter,
    Validate,
    Assess,
    Block,
    Notify,
    Remediate,
    FollowUp,
    Review,
    Approve,
    Unblock,
    Close,
}

impl Stage {
    /// The stages in the order the SOP runs them.
    pub const ALL: [Stage; 12] = [
        Stage::Receive,
        Stage::Enter,
        Stage::Validate,
        Stage::Assess,
        Stage::Block,
        Stage::Notify,
        Stage::Remediate,
        Stage::FollowUp,
        Stage::Review,
        Stage::Approve,
        Stage::Unblock,
        Stage::Close,
    ];

    /// A short name, for ids and catalogue keys.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Receive => "receive",
            Stage::Enter => "enter",
            Stage::Validate => "validate",
            Stage::Assess => "assess",
            Stage::Block => "block",
            Stage::Notify => "notify",
            Stage::Remediate => "remediate",
            Stage::FollowUp => "follow_up",
            Stage::Review => "review",
            Stage::Approve => "approve",
            Stage::Unblock => "unblock",
            Stage::Close => "close",
        }
    }

    /// The lane of the actor whose step it is, as `sigap-core` says ([`acting_role`]).
    pub fn lane(self) -> Lane {
        let role = self.action().map_or(INTAKE_ROLE, acting_role);
        Lane::of(role)
    }

    /// The column: 0-8 for steps 1-9, 9 for the approval, 10 for step 10.
    pub fn column(self) -> usize {
        match self {
            Stage::Unblock | Stage::Close => 10,
            other => other.index(),
        }
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The action that completes it; steps 1-2 happen when the report arrives.
    pub fn action(self) -> Option<Action> {
        match self {
            Stage::Receive | Stage::Enter => None,
            Stage::Validate => Some(Action::Validate),
            Stage::Assess => Some(Action::Assess),
            Stage::Block => Some(Action::Block),
            Stage::Notify => Some(Action::NotifyAgency),
            Stage::Remediate => Some(Action::SubmitRemediation),
            Stage::FollowUp => Some(Action::SendFollowUp),
            Stage::Review => Some(Action::Review),
            Stage::Approve => Some(Action::ApproveReactivation),
            Stage::Unblock => Some(Action::Unblock),
            Stage::Close => Some(Action::Close),
        }
    }

    /// The stages the "Belum" loop repeats in every round.
    fn repeats(self) -> bool {
        matches!(self, Stage::Remediate | Stage::FollowUp | Stage::Review)
    }
}

/// How far the ticket is with a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    Current,
    Next,
    Skipped,
    /// The approval, when the ticket went on without it.
    NotNeeded,
}

impl Status {
    /// The CSS class and catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Current => "current",
            Status::Next => "next",
            Status::Skipped => "skipped",
            Status::NotNeeded => "not_needed",
        }
    }
}

/// Why a stage is marked as it is, when the status alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Low criticality: nothing is blocked, so nothing is unblocked.
    LowCriticality,
    /// The approval happens only when the agency has more than the threshold of reports.
    IfOverThreshold,
    /// The ticket ended before this stage (rejected or duplicate).
    Ended,
    /// This stage runs again in round `n` after a "Belum" meeting.
    Round(i64),
}

/// What the diagram is computed from.
#[derive(Debug, Clone)]
pub struct LaneInput<'a> {
    pub state: State,
    pub criticality: Option<Criticality>,
    pub blocked: bool,
    pub round: i64,
    pub created_at: DateTime<Utc>,
    pub timeline: &'a [TimelineEntry],
}

/// One stage as the diagram shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepBox {
    pub stage: Stage,
    pub status: Status,
    pub note: Option<Note>,
    /// When it was last done.
    pub done_at: Option<DateTime<Utc>>,
}

/// The stage that must happen now; `None` when the ticket has ended.
fn current_stage(state: State, blocked: bool) -> Option<Stage> {
    Some(match state {
        State::Queued => Stage::Validate,
        State::Assessing => Stage::Assess,
        State::AwaitingBlock => Stage::Block,
        State::Notifying => Stage::Notify,
        State::Remediating => Stage::Remediate,
        State::FollowUp => Stage::FollowUp,
        State::Reviewing => Stage::Review,
        State::AwaitingApproval => Stage::Approve,
        State::Closing if blocked => Stage::Unblock,
        State::Closing => Stage::Close,
        State::Closed | State::Rejected | State::Duplicate => return None,
    })
}

/// When the stage was last done, if ever (steps 1-2: when the report arrived).
fn done_at(input: &LaneInput, stage: Stage) -> Option<DateTime<Utc>> {
    match stage.action() {
        None => Some(input.created_at),
        Some(action) => input
            .timeline
            .iter()
            .rev()
            .find(|e| e.action == action)
            .map(|e| e.at),
    }
}

/// Every stage of the ticket, in SOP order, with its status.
pub fn swimlane(input: &LaneInput) -> Vec<StepBox> {
    let current = current_stage(input.state, input.blocked);
    Stage::ALL
        .iter()
        .map(|&stage| {
            let done_at = done_at(input, stage);
            let (status, note) = status_of(input, current, stage, done_at.is_some());
            StepBox {
                stage,
                status,
                note,
                done_at: done_at.filter(|_| status == Status::Done),
            }
        })
        .collect()
}

fn status_of(
    input: &LaneInput,
    current: Option<Stage>,
    stage: Stage,
    performed: bool,
) -> (Status, Option<Note>) {
    let low = input.criticality == Some(Criticality::Low);
    let not_done = || match stage {
        Stage::Approve => (Status::NotNeeded, None),
        Stage::Block | Stage::Unblock if low => (Status::Skipped, Some(Note::LowCriticality)),
        _ => (Status::Skipped, None),
    };
    let Some(current) = current else {
        return match (performed, input.state) {
            (true, _) => (Status::Done, None),
            (false, State::Closed) => not_done(),
            (false, _) => (Status::Skipped, Some(Note::Ended)),
        };
    };
    let round = (stage.repeats() && input.round > 1).then_some(Note::Round(input.round));
    match stage.index().cmp(&current.index()) {
        std::cmp::Ordering::Less if performed => (Status::Done, None),
        std::cmp::Ordering::Less => not_done(),
        std::cmp::Ordering::Equal => (Status::Current, round),
        std::cmp::Ordering::Greater => match stage {
            Stage::Block | Stage::Unblock if low => (Status::Skipped, Some(Note::LowCriticality)),
            Stage::Approve => (Status::Next, Some(Note::IfOverThreshold)),
            _ => (Status::Next, round),
        },
    }
}

/// A box ready to show.
pub struct BoxView {
    pub key: &'static str,
    pub step: String,
    pub name: String,
    /// The actor whose step it is, and its lane's key (the box's colour).
    pub lane: String,
    pub lane_key: &'static str,
    pub status: &'static str,
    pub status_label: String,
    /// When it was last done.
    pub done: Option<DoneAt>,
    pub details: Vec<String>,
    pub countdown: Option<Countdown>,
}

/// When a stage was done: the machine-readable instant, the short form shown ("10 Agu
/// 09.00") and the full one (its title).
pub struct DoneAt {
    pub datetime: String,
    pub short: String,
    pub full: String,
}

/// The diagram ready to show: the stages in the order the SOP runs them, each naming its
/// actor, and the actors for the legend.
pub struct SwimlaneView {
    pub boxes: Vec<BoxView>,
    pub legend: Vec<(&'static str, String)>,
    /// Who must act now and on what, in one sentence.
    pub now: Option<String>,
}

impl Lane {
    /// A short name, for the box's class.
    pub fn key(self) -> &'static str {
        match self {
            Lane::HelpDesk => "helpdesk",
            Lane::Csirt => "csirt",
            Lane::DomainOfficer => "domain_officer",
            Lane::SystemOwner => "system_owner",
            Lane::RegionalSecretary => "regional_secretary",
        }
    }
}

/// The diagram of `ticket` in `lang`, with the current step's countdown at `now`: one box
/// per stage, in SOP order, wrapping to the width of the page (no empty cells of a lanes ×
/// steps grid, no sideways scrolling); each box names the actor of its lane.
pub fn view(lang: PageLang, ticket: &TicketView, now: DateTime<Utc>) -> SwimlaneView {
    let input = LaneInput {
        state: ticket.state,
        criticality: ticket.criticality,
        blocked: ticket.blocked,
        round: ticket.round,
        created_at: ticket.created_at,
        timeline: &ticket.timeline,
    };
    let boxes = swimlane(&input);
    SwimlaneView {
        boxes: boxes
            .iter()
            .map(|b| box_view(lang, ticket, b, now))
            .collect(),
        legend: Lane::ALL
            .iter()
            .map(|&lane| (lane.key(), lang.role(lane.role()).to_owned()))
            .collect(),
        now: boxes
            .iter()
            .find(|b| b.status == Status::Current)
            .map(|b| now_sentence(lang, b.stage)),
    }
}

fn column_label(lang: PageLang, column: usize) -> String {
    match column {
        9 => lang.t("swimlane.column.approval").into_owned(),
        10 => lang.tf("swimlane.column.step", &[("n", "10".to_owned())]),
        c => lang.tf("swimlane.column.step", &[("n", (c + 1).to_string())]),
    }
}

fn stage_name(lang: PageLang, stage: Stage) -> String {
    match stage {
        Stage::Approve | Stage::Unblock | Stage::Close => lang
            .t(&format!("swimlane.stage.{}", stage.key()))
            .into_owned(),
        other => lang
            .t(&format!("sop.step.{}", other.index() + 1))
            .into_owned(),
    }
}

fn now_sentence(lang: PageLang, stage: Stage) -> String {
    lang.tf(
        "swimlane.now",
        &[
            ("actor", lang.role(stage.lane().role()).to_owned()),
            ("step", stage_name(lang, stage)),
        ],
    )
}

fn box_view(lang: PageLang, ticket: &TicketView, b: &StepBox, now: DateTime<Utc>) -> BoxView {
    let mut details = Vec::new();
    let done = b.done_at.map(|at| DoneAt {
        datetime: at.to_rfc3339(),
        short: lang.short_wib(&at),
        full: lang.wib(&at),
    });
    match b.note {
        Some(Note::Round(n)) => {
            details.push(lang.tf("swimlane.note.round", &[("n", n.to_string())]))
        }
        Some(note) => details.push(lang.t(note_key(note)).into_owned()),
        None => {}
    }
    let current = b.status == Status::Current;
    BoxView {
        key: b.stage.key(),
        step: column_label(lang, b.stage.column()),
        name: stage_name(lang, b.stage),
        lane: lang.role(b.stage.lane().role()).to_owned(),
        lane_key: b.stage.lane().key(),
        status: b.status.key(),
        status_label: lang
            .t(&format!("swimlane.status.{}", b.status.key()))
            .into_owned(),
        done,
        details,
        countdown: ticket
            .deadline
            .as_ref()
            .filter(|_| current)
            .map(|d| countdown(lang, now, d.due_at)),
    }
}

fn note_key(note: Note) -> &'static str {
    match note {
        Note::LowCriticality => "swimlane.note.low",
        Note::IfOverThreshold => "swimlane.note.if_over_threshold",
        Note::Ended => "swimlane.note.ended",
        Note::Round(_) => "swimlane.note.round",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::Value;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 8, day, 2, 0, 0).unwrap()
    }

    fn entry(action: Action, round: i64, day: u32) -> TimelineEntry {
        TimelineEntry {
            at: at(day),
            action,
            from_state: State::Queued,
            to_state: State::Queued,
            round,
            actor_role: Role::Csirt,
            actor_name: None,
            records: Value::Null,
            due_at: None,
            overdue: false,
        }
    }

    fn steps(actions: &[Action]) -> Vec<TimelineEntry> {
        actions
            .iter()
            .enumerate()
            .map(|(i, a)| entry(*a, 1, 10 + i as u32))
            .collect()
    }

    const HIGH_TO_REMEDIATION: [Action; 4] = [
        Action::Validate,
        Action::Assess,
        Action::Block,
        Action::NotifyAgency,
    ];

    fn run(
        state: State,
        criticality: Option<Criticality>,
        blocked: bool,
        round: i64,
        timeline: &[TimelineEntry],
    ) -> Vec<(Stage, Status, Option<Note>)> {
        let input = LaneInput {
            state,
            criticality,
            blocked,
            round,
            created_at: at(9),
            timeline,
        };
        swimlane(&input)
            .into_iter()
            .map(|b| (b.stage, b.status, b.note))
            .collect()
    }

    fn status(boxes: &[(Stage, Status, Option<Note>)], stage: Stage) -> (Status, Option<Note>) {
        let found = boxes.iter().find(|b| b.0 == stage).unwrap();
        (found.1, found.2)
    }

    #[test]
    fn remediation_is_the_agency_s_current_step_after_six_done_ones() {
        let timeline = steps(&HIGH_TO_REMEDIATION);
        let boxes = run(
            State::Remediating,
            Some(Criticality::High),
            true,
            1,
            &timeline,
        );
        for stage in &Stage::ALL[..6] {
            assert_eq!(status(&boxes, *stage), (Status::Done, None), "{stage:?}");
        }
        assert_eq!(status(&boxes, Stage::Remediate), (Status::Current, None));
        assert_eq!(Stage::Remediate.lane(), Lane::SystemOwner);
        assert_eq!(status(&boxes, Stage::FollowUp), (Status::Next, None));
        assert_eq!(status(&boxes, Stage::Review), (Status::Next, None));
        assert_eq!(
            status(&boxes, Stage::Approve),
            (Status::Next, Some(Note::IfOverThreshold))
        );
        assert_eq!(status(&boxes, Stage::Unblock), (Status::Next, None));
        assert_eq!(status(&boxes, Stage::Close), (Status::Next, None));
    }

    #[test]
    fn low_criticality_skips_the_block_and_the_unblock() {
        let timeline = steps(&[Action::Validate, Action::Assess, Action::NotifyAgency]);
        let boxes = run(
            State::Remediating,
            Some(Criticality::Low),
            false,
            1,
            &timeline,
        );
        let low = (Status::Skipped, Some(Note::LowCriticality));
        assert_eq!(status(&boxes, Stage::Block), low);
        assert_eq!(status(&boxes, Stage::Unblock), low);
        assert_eq!(status(&boxes, Stage::Notify), (Status::Done, None));
    }

    #[test]
    fn a_belum_meeting_shows_the_new_round_from_remediation_on() {
        let mut timeline = steps(&HIGH_TO_REMEDIATION);
        timeline.extend([
            entry(Action::SubmitRemediation, 1, 20),
            entry(Action::SendFollowUp, 1, 21),
            entry(Action::Review, 1, 22),
        ]);
        let boxes = run(
            State::Remediating,
            Some(Criticality::High),
            true,
            2,
            &timeline,
        );
        assert_eq!(
            status(&boxes, Stage::Remediate),
            (Status::Current, Some(Note::Round(2)))
        );
        assert_eq!(
            status(&boxes, Stage::FollowUp),
            (Status::Next, Some(Note::Round(2)))
        );
        assert_eq!(
            status(&boxes, Stage::Review),
            (Status::Next, Some(Note::Round(2)))
        );
        assert_eq!(status(&boxes, Stage::Notify), (Status::Done, None));
    }

    #[test]
    fn the_approval_is_the_secretary_s_when_awaited_and_not_needed_otherwise() {
        let mut timeline = steps(&HIGH_TO_REMEDIATION);
        timeline.extend(steps(&[
            Action::SubmitRemediation,
            Action::SendFollowUp,
            Action::Review,
        ]));
        let waiting = run(
            State::AwaitingApproval,
            Some(Criticality::High),
            true,
            1,
            &timeline,
        );
        assert_eq!(status(&waiting, Stage::Approve), (Status::Current, None));
        assert_eq!(Stage::Approve.lane(), Lane::RegionalSecretary);
        let closing = run(State::Closing, Some(Criticality::High), true, 1, &timeline);
        assert_eq!(status(&closing, Stage::Approve), (Status::NotNeeded, None));
        assert_eq!(status(&closing, Stage::Unblock), (Status::Current, None));
        assert_eq!(status(&closing, Stage::Close), (Status::Next, None));
        timeline.push(entry(Action::Unblock, 1, 28));
        let unblocked = run(State::Closing, Some(Criticality::High), false, 1, &timeline);
        assert_eq!(status(&unblocked, Stage::Unblock), (Status::Done, None));
        assert_eq!(status(&unblocked, Stage::Close), (Status::Current, None));
        timeline.push(entry(Action::Close, 1, 28));
        let closed = run(State::Closed, Some(Criticality::High), false, 1, &timeline);
        assert_eq!(status(&closed, Stage::Approve), (Status::NotNeeded, None));
        assert!(
            closed
                .iter()
                .filter(|b| b.0 != Stage::Approve)
                .all(|b| b.1 == Status::Done)
        );
    }

    #[test]
    fn a_rejected_report_ends_after_validation() {
        let timeline = steps(&[Action::Validate]);
        let boxes = run(State::Rejected, None, false, 1, &timeline);
        assert_eq!(status(&boxes, Stage::Validate), (Status::Done, None));
        assert_eq!(status(&boxes, Stage::Enter), (Status::Done, None));
        for stage in &Stage::ALL[3..] {
            assert_eq!(
                status(&boxes, *stage),
                (Status::Skipped, Some(Note::Ended)),
                "{stage:?}"
            );
        }
        assert!(boxes.iter().all(|b| b.1 != Status::Current));
    }

    #[test]
    fn every_box_sits_in_one_column_and_step_ten_is_split() {
        assert_eq!(Stage::Receive.column(), 0);
        assert_eq!(Stage::Review.column(), 8);
        assert_eq!(Stage::Approve.column(), 9);
        assert_eq!(Stage::Unblock.column(), Stage::Close.column());
        assert_ne!(Stage::Unblock.lane(), Stage::Close.lane());
        // Steps 1-9, the approval, step 10.
        assert!(Stage::ALL.iter().all(|s| s.column() < 11));
    }
}
