//! A minimal PDF writer for the tests and the benchmark: pages of plain lines in Helvetica,
//! optionally padded with an unused image-sized stream per page, so a test can build a
//! 2 000-page file or a 5 MB one without a fixture.

use lopdf::{dictionary, Document, Object, Stream};

/// A PDF whose pages hold `pages[i]` line by line, each page carrying `padding_per_page` bytes
/// of (incompressible, never drawn) image data.
pub fn text_pdf(pages: &[Vec<String>], padding_per_page: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let mut kids: Vec<Object> = Vec::new();
    let mut seed: u32 = 0x9E37_79B9;
    for lines in pages {
        let mut content = String::from("BT /F1 11 Tf 50 790 Td 14 TL\n");
        for line in lines {
            let escaped = line.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
            content.push_str(&format!("({escaped}) Tj T*\n"));
        }
        content.push_str("ET\n");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let mut resources = dictionary! { "Font" => dictionary! { "F1" => font_id } };
        if padding_per_page > 0 {
            // xorshift noise: incompressible, like a photograph's JPEG data.
            let noise: Vec<u8> = (0..padding_per_page)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed.to_le_bytes()[0]
                })
                .collect();
            let side = (padding_per_page as f64 / 3.0).sqrt() as i64;
            let image = Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => side, "Height" => side,
                    "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                },
                noise,
            );
            let image_id = doc.add_object(image);
            resources.set("XObject", dictionary! { "Im1" => image_id });
        }
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    // Writing to memory cannot fail but for a bug in lopdf; an empty file then fails the caller.
    let _ = doc.save_to(&mut bytes);
    bytes
}
