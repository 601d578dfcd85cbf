//! Evidence images are shown only after re-encoding: the preview is a PNG the server wrote
//! (turned upright as the EXIF orientation says, scaled down, without the EXIF block or
//! anything else of the upload), only for staff in scope, and only for files that decode
//! as images within the limits. The upload itself stays a download, byte for byte.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sigap_testkit::{TestApp, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    evidence_images_are_reencoded_before_they_are_shown: sqlite_previews, postgres_previews;
}

const SECRET: &[u8] = b"GPS-SECRET 1.0833N 104.0304E";

/// A JPEG of `width` x `height` (left half red, right half blue) with an EXIF block that
/// sets `orientation` and carries text a metadata reader would show.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([200, 0, 0])
        } else {
            image::Rgb([0, 0, 200])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&picture)
        .unwrap();
    // Big-endian TIFF header, one IFD entry (0x0112 Orientation, SHORT, 1), no next IFD.
    let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
    tiff.extend([0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0, 0, 0, 0, 0]);
    tiff.extend(SECRET);
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let length = u16::try_from(segment.len() + 2).unwrap();
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(length.to_be_bytes());
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

/// A valid PNG wider than the decoder accepts (a small file that would decode to a lot).
fn too_wide_png() -> Vec<u8> {
    let picture = image::GrayImage::new(13_000, 1);
    let mut out = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn evidence_images_are_reencoded_before_they_are_shown(app: TestApp) {
    let app = &app;
    let photo = jpeg_with_exif(40, 20, 6);
    let wide = jpeg_with_exif(3000, 100, 1);
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    for (name, bytes) in [
        ("foto.jpg", photo.clone()),
        ("lebar.jpg", wide),
        ("bom.png", too_wide_png()),
        ("akses.log", b"GET /cari?nisn=1' 500\n".to_vec()),
    ] {
        form = form.part("evidence", Part::bytes(bytes).file_name(name));
    }
    let (status, submitted) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{submitted:#}");
    let number = submitted["ticket_number"].as_str().unwrap().to_owned();
    let ticket = app.ticket("csirt", &number).await;
    let id_of = |name: &str| {
        ticket["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {ticket:#}"))["id"]
            .as_i64()
            .unwrap()
    };
    let preview = |role: &'static str, name: &str| {
        let path = format!("/api/v1/tickets/{number}/evidence/{}/preview", id_of(name));
        let token = app.token(role).to_owned();
        async move { app.get(Some(&token), &path).await }
    };

    // The photo: upright (EXIF orientation 6 turns 40x20 into 20x40), PNG, no metadata.
    let response = preview("csirt", "foto.jpg").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"),
    );
    let png = response.bytes().await.unwrap().to_vec();
    let shown = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!((shown.width(), shown.height()), (20, 40), "turned upright");
    assert!(
        !png.windows(SECRET.len()).any(|w| w == SECRET),
        "the EXIF text is not in the preview"
    );
    assert!(
        !png.windows(4)
            .any(|w| w == b"eXIf" || w == b"tEXt" || w == b"iTXt"),
        "no metadata chunk in the PNG"
    );
    // The download is still the upload, byte for byte, EXIF included.
    let original = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{number}/evidence/{}", id_of("foto.jpg")),
        )
        .await;
    assert_eq!(original.bytes().await.unwrap().to_vec(), photo);

    // A large image is scaled down to 1024 pixels on its longest side.
    let response = preview("csirt", "lebar.jpg").await;
    assert_eq!(response.status(), StatusCode::OK);
    let shown = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(shown.width(), 1024);
    assert!(shown.height() <= 35, "the aspect kept: {}", shown.height());

    // Over the decoder's limits, or not an image: no preview, only the download.
    problem(preview("csirt", "bom.png").await, StatusCode::NOT_FOUND).await;
    problem(preview("csirt", "akses.log").await, StatusCode::NOT_FOUND).await;
    // Another agency's system owner does not see the ticket, nor its previews.
    problem(
        preview("system_owner_b", "foto.jpg").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(
            None,
            &format!(
                "/api/v1/tickets/{number}/evidence/{}/preview",
                id_of("foto.jpg")
            ),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
