//! Properties of [`super::process`] on whatever bytes are uploaded: real tiny images of every
//! accepted type with their headers and bodies damaged, and bytes that are no image at all.
//! Decoding is slow in a debug build, so these run fewer cases than the others.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use proptest::prelude::*;

use super::*;
use crate::testing::proptest_config;

/// A tiny real image: `width`×`height` in `format`, opaque or partly transparent.
fn tiny(format: ImageFormat, width: u32, height: u32, transparent: bool) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, y| {
        let alpha = if transparent && (x + y) % 2 == 0 { 0 } else { 255 };
        Rgba([(x * 40) as u8, (y * 40) as u8, 90, alpha])
    });
    let image = if format == ImageFormat::Jpeg {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image).into_rgb8())
    } else {
        DynamicImage::ImageRgba8(image)
    };
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).expect("a tiny image encodes");
    bytes.into_inner()
}

/// A change to a file: a byte set, a run of bytes put in, the end cut off.
#[derive(Debug, Clone)]
enum Damage {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Cut(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        // Most of it in the first bytes, where the headers (and the dimensions) are.
        4 => (0..64usize, any::<u8>()).prop_map(|(at, byte)| Damage::Set(at, byte)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Set(at, byte)),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, b)| Damage::Insert(at, b)),
        1 => any::<usize>().prop_map(Damage::Cut),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for damage in damages {
        let len = bytes.len().max(1);
        match damage {
            Damage::Set(at, byte) => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b = *byte;
                }
            }
            Damage::Insert(at, run) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, run.iter().copied());
            }
            Damage::Cut(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

fn upload() -> impl Strategy<Value = Vec<u8>> {
    let format =
        proptest::sample::select(vec![ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif, ImageFormat::WebP]);
    let real = (format, 1..6u32, 1..6u32, any::<bool>()).prop_map(|(f, w, h, t)| tiny(f, w, h, t));
    prop_oneof![
        3 => (real.clone(), proptest::collection::vec(damage(), 0..4)).prop_map(|(bytes, d)| apply(bytes, &d)),
        1 => real,
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        // The magic bytes of a type the sniffer knows, then anything.
        1 => (
            proptest::sample::select(vec![
                &b"\x89PNG\r\n\x1a\n"[..], &b"\xff\xd8\xff"[..], &b"GIF89a"[..], &b"RIFF\0\0\0\0WEBPVP8 "[..],
                &b"BM"[..], &b"II*\0"[..], &b"<svg"[..], &b"\0\0\0\x0cjP  "[..],
            ]),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(magic, rest)| [magic, &rest].concat()),
    ]
}

proptest! {
    #![proptest_config(proptest_config(32))]

    /// Whatever is uploaded, the answer is a sentence for the user or a clean image of the
    /// types we serve, within the edges promised, that decodes to what it says it is.
    #[test]
    fn any_upload_is_refused_or_becomes_a_clean_image(
        bytes in upload(),
        profile in any::<bool>(),
        max_bytes in prop_oneof![Just(10 * 1024 * 1024), 0..200usize],
    ) {
        let purpose = if profile { ImagePurpose::ProfilePhoto } else { ImagePurpose::JournalImage };
        match process(&bytes, purpose, max_bytes) {
            Ok(image) => {
                prop_assert!(bytes.len() <= max_bytes);
                prop_assert!(is_served_type(image.content_type));
                let format = image::guess_format(&image.bytes).unwrap();
                let expected = if image.content_type == "image/png" { ImageFormat::Png } else { ImageFormat::Jpeg };
                prop_assert_eq!(format, expected);
                prop_assert_eq!(image.extension, if format == ImageFormat::Png { "png" } else { "jpg" });
                let decoded = image::load_from_memory(&image.bytes).unwrap();
                prop_assert_eq!((decoded.width(), decoded.height()), (image.width, image.height));
                prop_assert!(image.width >= 1 && image.height >= 1);
                match purpose {
                    ImagePurpose::ProfilePhoto => {
                        prop_assert!(image.width == image.height && image.width <= PROFILE_EDGE)
                    }
                    ImagePurpose::JournalImage => {
                        prop_assert!(image.width <= JOURNAL_MAX_EDGE && image.height <= JOURNAL_MAX_EDGE)
                    }
                }
            }
            Err(ImageError::TooLarge { limit_bytes }) => {
                prop_assert!(bytes.len() > max_bytes && limit_bytes == max_bytes);
            }
            Err(error) => {
                prop_assert!(!error.to_string().is_empty() && !error.code().is_empty());
            }
        }
    }

    #[test]
    fn a_colour_profile_check_reads_any_bytes(profile in proptest::collection::vec(any::<u8>(), 0..200), rgb in any::<bool>()) {
        let mut profile = profile;
        if rgb && profile.len() >= 20 {
            profile[16..20].copy_from_slice(b"RGB ");
        }
        if is_rgb_icc_profile(&profile) {
            prop_assert!(profile.len() >= 128 && &profile[16..20] == b"RGB ");
        }
    }
}

proptest! {
    #![proptest_config(proptest_config(256))]

    /// A size as a limit is written: whole or one decimal, and never more than a tenth off.
    /// (Sizes beyond a terabyte are no upload limit; `bytes * 10` would overflow near
    /// `usize::MAX`.)
    #[test]
    fn a_size_is_written_in_its_unit(bytes in 0..(1usize << 40)) {
        let text = human_size(bytes);
        let mb = 1024.0 * 1024.0;
        if let Some(number) = text.strip_suffix(" MB") {
            let value: f64 = number.parse().unwrap();
            prop_assert!((value - bytes as f64 / mb).abs() <= 0.05 + 1e-9, "{text} for {bytes}");
        } else if let Some(number) = text.strip_suffix(" KB") {
            prop_assert_eq!(number.parse::<usize>().unwrap(), bytes / 1024);
        } else {
            prop_assert_eq!(text, format!("{bytes} bytes"));
        }
    }
}
