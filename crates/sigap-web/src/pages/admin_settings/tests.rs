//! The settings page's text areas read line by line.

use serde_json::json;

use super::*;

#[test]
fn holidays_are_a_date_then_a_name_a_line() {
    assert_eq!(
        serde_json::to_value(holiday_list("2026-12-25 Hari Raya Natal\r\n\n2026-08-17\n")).unwrap(),
        json!([
            {"date": "2026-12-25", "name": "Hari Raya Natal"},
            {"date": "2026-08-17", "name": ""},
        ])
    );
}

#[test]
fn a_signer_line_goes_there_and_back() {
    let signer = Signer {
        position: "Kepala Dinas".to_owned(),
        name: "Dr. Rudi".to_owned(),
        rank: None,
        nip: Some("198001012005011001".to_owned()),
        user: None,
    };
    let line = signer_line(&signer);
    assert_eq!(line, "Kepala Dinas | Dr. Rudi |  | 198001012005011001");
    assert_eq!(
        serde_json::to_value(signer_request(&line)).unwrap(),
        json!({"position": "Kepala Dinas", "name": "Dr. Rudi", "rank": "", "nip": "198001012005011001",
            "user": ""})
    );
}
