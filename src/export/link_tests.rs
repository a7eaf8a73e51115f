use super::*;

fn secret(n: u8) -> ProjectSecret {
    ProjectSecret::from_bytes([n; 32])
}

#[test]
fn a_link_opens_with_the_project_secret_and_gives_the_projects_pseudonym() {
    let s = secret(1);
    let sealer = LinkSealer::new("p1", &s.public_hex(), [9; 32]).unwrap();
    let sealed = sealer.seal("r-1", "12-2-301");
    assert!(
        !sealed.contains("301"),
        "the flat is not in the sealed text"
    );
    let opener = s.opener("p1", &sealer.ephemeral).unwrap();
    assert_eq!(&*opener.open("r-1", &sealed).unwrap(), "12-2-301");
    let p = opener.pseudonym("r-1", &sealed).unwrap();
    assert!(p.starts_with("h-") && p.len() == 34, "{p}");
}

#[test]
fn two_workers_sealing_the_same_household_give_the_same_pseudonym() {
    let s = secret(2);
    let a = LinkSealer::new("p", &s.public_hex(), [3; 32]).unwrap();
    let b = LinkSealer::new("p", &s.public_hex(), [4; 32]).unwrap();
    let (la, lb) = (a.seal("r-a", "5-1-101"), b.seal("r-b", "5-1-101"));
    assert_ne!(la, lb, "two exports never write the same bytes");
    let pa = s.opener("p", &a.ephemeral).unwrap().pseudonym("r-a", &la);
    let pb = s.opener("p", &b.ephemeral).unwrap().pseudonym("r-b", &lb);
    assert_eq!(pa, pb);
    // Another household, another pseudonym.
    let lc = a.seal("r-c", "5-1-102");
    let pc = s.opener("p", &a.ephemeral).unwrap().pseudonym("r-c", &lc);
    assert_ne!(pa, pc);
}

#[test]
fn two_projects_never_share_pseudonyms() {
    let (s1, s2) = (secret(5), secret(6));
    let one = LinkSealer::new("p1", &s1.public_hex(), [7; 32]).unwrap();
    let two = LinkSealer::new("p2", &s2.public_hex(), [7; 32]).unwrap();
    let p1 = s1
        .opener("p1", &one.ephemeral)
        .unwrap()
        .pseudonym("r", &one.seal("r", "1-1-1"))
        .unwrap();
    let p2 = s2
        .opener("p2", &two.ephemeral)
        .unwrap()
        .pseudonym("r", &two.seal("r", "1-1-1"))
        .unwrap();
    assert_ne!(p1, p2);
}

#[test]
fn a_link_does_not_open_with_another_key_record_or_project_or_when_edited() {
    let s = secret(8);
    let sealer = LinkSealer::new("p", &s.public_hex(), [1; 32]).unwrap();
    let sealed = sealer.seal("r-1", "3-1-501");
    let opener = s.opener("p", &sealer.ephemeral).unwrap();
    assert_eq!(opener.open("r-2", &sealed), Err(LinkError::Damaged));
    let other = secret(9).opener("p", &sealer.ephemeral).unwrap();
    assert_eq!(other.open("r-1", &sealed), Err(LinkError::Damaged));
    let wrong_project = s.opener("q", &sealer.ephemeral).unwrap();
    assert_eq!(wrong_project.open("r-1", &sealed), Err(LinkError::Damaged));
    let mut edited = sealed.clone().into_bytes();
    let last = edited.len() - 1;
    edited[last] = if edited[last] == b'0' { b'1' } else { b'0' };
    let edited = String::from_utf8(edited).unwrap();
    assert_eq!(opener.open("r-1", &edited), Err(LinkError::Damaged));
    assert_eq!(opener.open("r-1", "zz"), Err(LinkError::Damaged));
    assert_eq!(opener.open("r-1", ""), Err(LinkError::Damaged));
}

#[test]
fn weak_or_malformed_public_keys_are_refused() {
    assert!(valid_public_key(&secret(1).public_hex()));
    assert!(!valid_public_key(&"00".repeat(32)), "the identity point");
    assert!(!valid_public_key("abcd"));
    assert!(!valid_public_key(&"zz".repeat(32)));
    assert!(LinkSealer::new("p", &"00".repeat(32), [1; 32]).is_err());
    assert!(secret(1).opener("p", &"00".repeat(32)).is_err());
}

#[test]
fn the_secret_round_trips_through_hex_and_its_public_key_tells_nothing_of_it() {
    let s = secret(4);
    let again = ProjectSecret::from_hex(&s.to_hex()).unwrap();
    assert_eq!(s.public_hex(), again.public_hex());
    assert_ne!(*s.to_hex(), s.public_hex());
    assert!(ProjectSecret::from_hex("12").is_none());
}
