use super::codes::{encode, read, CodeError, Series, CHUNK, PREFIX};
use super::qr;

/// Answers as a resident's phone would send them: a few KB of JSON, unlike itself enough
/// not to deflate to nothing.
fn answers(n: usize) -> Vec<u8> {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"q{i}":"{}","n":{}}}"#,
                "需要".repeat(i % 7 + 1),
                i * 7919 % 1000
            )
        })
        .collect();
    format!("[{}]", items.join(",")).into_bytes()
}

#[test]
fn a_payload_goes_out_as_codes_and_comes_back_whole_in_any_order() {
    let payload = answers(400);
    let codes = encode(&payload);
    assert!(codes.len() > 1, "long answers take several codes");
    for c in &codes {
        assert!(c.starts_with(PREFIX));
        assert!(c.len() <= CHUNK + 40);
        // Every character in QR's alphanumeric set: the compact mode holds.
        assert!(
            c.bytes()
                .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
            "{c}"
        );
    }
    let mut s = Series::default();
    for c in codes.iter().rev() {
        assert_eq!(s.add(c), Ok(true));
        // The same code seen twice by the camera changes nothing.
        assert_eq!(s.add(c), Ok(false));
    }
    assert_eq!(s.progress(), (codes.len(), codes.len()));
    assert_eq!(s.payload(), Some(Ok(payload)));

    let small = encode(b"{}");
    assert_eq!(small.len(), 1);
    let mut s = Series::default();
    s.add(&small[0]).unwrap();
    assert_eq!(s.payload(), Some(Ok(b"{}".to_vec())));
}

#[test]
fn a_damaged_or_foreign_code_is_refused_and_nothing_is_assembled() {
    let codes = encode(&answers(400));
    assert!(codes.len() >= 3);
    // One character of the data misread.
    let mut bad = codes[1].clone().into_bytes();
    let last = bad.len() - 1;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(read(&bad), Err(CodeError::Checksum { index: 2 }));
    assert!(CodeError::Checksum { index: 2 }
        .describe()
        .zh
        .contains("第 2 个"));
    assert_eq!(read("https://example.com"), Err(CodeError::NotOurs));
    assert_eq!(read("DS1:0/3:0000:1:x"), Err(CodeError::Damaged));
    assert_eq!(
        read("DS1:1/999:00000000:00000000:"),
        Err(CodeError::Damaged)
    );

    let mut s = Series::default();
    s.add(&codes[0]).unwrap();
    assert_eq!(s.add(&bad), Err(CodeError::Checksum { index: 2 }));
    assert_eq!(s.missing(), (2..=codes.len()).collect::<Vec<_>>());
    assert_eq!(s.payload(), None, "not every code yet");
    // A code of another resident's return does not mix in.
    let other = encode(&answers(401));
    assert_eq!(s.add(&other[1]), Err(CodeError::OtherSeries));

    // Codes whose own checksums hold but that were not made together (one swapped for
    // another return's, re-labelled) fail the whole's checksum: nothing is imported.
    let n = codes.len();
    let set = codes[0].split(':').nth(2).unwrap();
    let mut forged = Series::default();
    for (i, c) in codes.iter().enumerate() {
        let data = if i == 1 {
            other[1].split(':').nth(4).unwrap()
        } else {
            c.split(':').nth(4).unwrap()
        };
        let code = format!(
            "DS1:{}/{n}:{set}:{:08X}:{data}",
            i + 1,
            crc32fast::hash(data.as_bytes())
        );
        assert_eq!(forged.add(&code), Ok(true));
    }
    assert_eq!(forged.payload(), Some(Err(CodeError::Corrupt)));
    assert!(CodeError::Corrupt
        .describe()
        .en
        .contains("nothing was imported"));
}

#[test]
fn a_code_drawn_to_an_image_reads_back() {
    let codes = encode(&answers(120));
    let mut s = Series::default();
    for c in &codes {
        let m = qr::make(c).expect("fits a QR code");
        assert!(m.size <= 97, "version 20 at most: {}", m.size);
        let (side, px) = m.image(3);
        let found = qr::scan(side, side, &px);
        assert_eq!(found, vec![c.clone()]);
        s.add(&found[0]).unwrap();
        assert!(m.path().starts_with('M'));
    }
    assert_eq!(s.payload(), Some(Ok(answers(120))));
    // A frame with no code in it finds nothing, and a short buffer is no frame.
    assert!(qr::scan(100, 100, &[255; 10_000]).is_empty());
    assert!(qr::scan(100, 100, &[0; 10]).is_empty());
}

mod handback {
    use super::super::codes::{encode, Series};
    use super::super::handback::{form_of, import, pack, unpack, HandbackError, Imported};
    use crate::form::builtin_form;
    use crate::response::{sample, Status, Value};

    fn resident() -> crate::response::Response {
        let form = builtin_form();
        let mut r = sample::completed(form, "phone-0001", 7);
        r.set_answer("unit", Some(Value::Text("UNITMARK".into())));
        r.set_answer("room", Some(Value::Text("ROOMMARK".into())));
        r.household = Some("HHMARK".into());
        r.worker = "WMARK".into();
        r
    }

    #[test]
    fn a_phones_answers_come_back_through_the_codes_without_identifiers() {
        let form = builtin_form();
        let r = resident();
        let bytes = pack(form, &r);
        // Raw bytes: no identifying answer leaves the phone.
        let text = String::from_utf8(bytes.clone()).unwrap();
        for marker in ["UNITMARK", "ROOMMARK", "HHMARK", "WMARK"] {
            assert!(!text.contains(marker), "{marker} left the phone");
        }
        let mut s = Series::default();
        for c in encode(&bytes) {
            s.add(&c).unwrap();
        }
        let bytes = s.payload().unwrap().unwrap();
        assert_eq!(form_of(&bytes), Ok((form.id.clone(), form.version)));
        let back = unpack(&bytes, form).unwrap();
        assert_eq!(back.id, r.id);
        assert_eq!(back.status, Status::Completed);
        assert_eq!(back.answers.get("unit"), None);
        assert_eq!(back.answers.get("consent"), r.answers.get("consent"));
        assert_eq!(
            back.answers.get("members"),
            r.answers.get("members"),
            "the roster too"
        );
        assert_eq!(back.household, None);
        // Imported once; the same codes again change nothing.
        let kv = crate::store::MemoryStore::new();
        let store = crate::store::ResponseStore::open(&kv).unwrap();
        assert_eq!(import(&store, back.clone()), Ok(Imported::New));
        assert_eq!(import(&store, back.clone()), Ok(Imported::AlreadyThere));
        assert_eq!(store.ids().unwrap(), vec![back.id.clone()]);
    }

    #[test]
    fn a_return_that_is_not_ours_or_carries_what_must_not_leave_is_refused() {
        let form = builtin_form();
        assert_eq!(unpack(b"{", form), Err(HandbackError::NotOurs));
        assert_eq!(
            unpack(br#"{"format":"x"}"#, form),
            Err(HandbackError::NotOurs)
        );
        let mut doc: serde_json::Value = serde_json::from_slice(&pack(form, &resident())).unwrap();
        doc["format_version"] = 2.into();
        let v2 = serde_json::to_vec(&doc).unwrap();
        assert_eq!(form_of(&v2), Err(HandbackError::FormatVersion(2)));
        doc["format_version"] = 1.into();
        doc["response"]["a"]["room"] = "1802".into();
        let leaked = serde_json::to_vec(&doc).unwrap();
        assert_eq!(
            unpack(&leaked, form),
            Err(HandbackError::Invalid("room".into()))
        );
        let mut doc: serde_json::Value = serde_json::from_slice(&pack(form, &resident())).unwrap();
        doc["response"]["v"] = 9.into();
        let unknown = serde_json::to_vec(&doc).unwrap();
        assert_eq!(form_of(&unknown), Ok((form.id.clone(), 9)));
        let err = unpack(&unknown, form).unwrap_err();
        assert_eq!(err, HandbackError::UnknownForm(form.id.clone(), 9));
        assert!(err.describe().zh.contains("问卷库"));
    }
}
