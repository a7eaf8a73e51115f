//! Hand-over's own screens, in the worker module (the survey screens themselves stay in
//! the app's first load, so handing over is immediate):
//!
//! - `Setup` (`#/r/<id>/hand-over` the first time, `#/hand-over` from the settings): the
//!   worker's PIN, one question per screen or not, the idle minutes; then the hand-over;
//! - `Unlock` (`#/r/<id>/unlock`): the hand-back screen. The resident is thanked and may go
//!   on answering; the worker's PIN ends the hand-over.
//!
//! The PIN that ends a hand-over is the device's (or its passphrase): checked by
//! `lock::try_secret`, derived by `kek`; the storage is `store::HandoverStore`.

use super::browser;
use crate::form::Form;
use crate::handover::{for_resident, MAX_IDLE_MINUTES};
use crate::i18n::handover::HoMsg;
use crate::i18n::lock::LockMsg;
use crate::i18n::Lang;
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::vault::Sealer;
use crate::store::{FormStore, HandoverStore, KvStore, ResponseStore, RESUME_KEY};
use crate::vault::lock::Secret;
use leptos::prelude::*;
use std::borrow::Cow;
use wasm_bindgen::JsCast;

/// PBKDF2-HMAC-SHA-256 of `pin` through WebCrypto; `None` where the browser has none. What
/// locks of earlier versions are derived with (`kek`); the bits WebCrypto handed back are
/// overwritten once copied.
pub async fn derive(pin: &str, salt: &[u8], iterations: u32) -> Option<Vec<u8>> {
    use wasm_bindgen_futures::JsFuture;
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let usages = js_sys::Array::of1(&"deriveBits".into());
    let key = subtle
        .import_key_with_str(
            "raw",
            &js_sys::Uint8Array::from(pin.as_bytes()),
            "PBKDF2",
            false,
            &usages,
        )
        .ok()?;
    let key: web_sys::CryptoKey = JsFuture::from(key).await.ok()?.dyn_into().ok()?;
    let params = web_sys::Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        iterations,
        &js_sys::Uint8Array::from(salt),
    );
    let bits = subtle.derive_bits_with_object(&params, &key, 256).ok()?;
    let bits = js_sys::Uint8Array::new(&JsFuture::from(bits).await.ok()?);
    let out = bits.to_vec();
    bits.fill(0, 0, bits.length());
    Some(out)
}

/// The form of response `id`, for its sections' audiences (the built-in one borrowed).
fn form_of(kv: &LocalStore, id: &str) -> Option<Cow<'static, Form>> {
    let r = ResponseStore::open(kv.clone())
        .ok()?
        .open_response(id)
        .ok()??
        .response;
    FormStore::new(kv).find(&r.form, r.form_version).ok()?
}

/// The resident's first section of response `id` (the consent, in the built-in form).
fn resident_start(kv: &LocalStore, id: &str) -> Route {
    let section = form_of(kv, id)
        .and_then(|f| (0..f.sections.len()).find(|&i| for_resident(&f, i)))
        .unwrap_or(0);
    Route::Survey {
        id: id.to_owned(),
        section,
    }
}

/// `#/r/<id>/hand-over` and `#/hand-over`.
#[component]
pub fn Setup(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: HoMsg| m.get(lang);
    let id = match Route::parse(&browser::location_hash()) {
        Route::HandOver { id } => Some(id),
        _ => None,
    };
    let store = HandoverStore::new(kv.clone());
    let one = RwSignal::new(store.one_by_one());
    let idle = RwSignal::new(store.idle_minutes().to_string());
    let note = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let kv2 = kv.clone();
    let starting = id.is_some();
    let back = match &id {
        Some(id) => Route::Survey {
            id: id.clone(),
            section: 0,
        }
        .to_hash(),
        None => Route::Export.to_hash(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let problem = |m: String| note.set(Some((true, m)));
        let minutes = match idle.get_untracked().trim().parse::<u32>() {
            Ok(m) if (1..=MAX_IDLE_MINUTES).contains(&m) => m,
            _ => return problem(format!("{} 1–{MAX_IDLE_MINUTES}", t(HoMsg::IdleMinutes))),
        };
        busy.set(true);
        note.set(Some((false, t(HoMsg::Working).to_owned())));
        let kv = kv2.clone();
        let id = id.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let store = HandoverStore::new(kv.clone());
            let outcome = async {
                store
                    .set_one_by_one(one.get_untracked())
                    .and_then(|_| store.set_idle_minutes(minutes))
                    .map_err(|_| HoMsg::NotSaved)?;
                if let Some(id) = &id {
                    store.begin(id).map_err(|_| HoMsg::NotSaved)?;
                }
                Ok(())
            }
            .await;
            busy.set(false);
            match (outcome, id) {
                (Ok(()), Some(id)) => browser::set_hash(&resident_start(&kv, &id).to_hash()),
                (Ok(()), None) => note.set(Some((false, t(HoMsg::Saved).to_owned()))),
                (Err(m), _) => note.set(Some((true, t(m).to_owned()))),
            }
        });
    };
    view! {
        <section class="handover-setup" data-testid="handover-setup">
            <h1>{t(if starting { HoMsg::SetupTitle } else { HoMsg::SettingsTitle })}</h1>
            <p class="note">{t(HoMsg::SetupHelp)}</p>
            <form on:submit=submit>
                <p class="hint">{t(HoMsg::PinIsDevice)}" "<a href="#/lock" data-testid="device-lock-link">{t(HoMsg::ChangePin)}</a></p>
                <label class="option">
                    <input type="checkbox" data-testid="one-by-one" prop:checked=one
                        on:change=move |ev| one.set(event_target_checked(&ev)) />
                    {t(HoMsg::OneByOne)}
                </label>
                <label for="idle-minutes">{t(HoMsg::IdleMinutes)}</label>
                <p class="hint" id="idle-help">{t(HoMsg::IdleHelp)}</p>
                <input id="idle-minutes" data-testid="idle-minutes" type="text" inputmode="numeric" autocomplete="off"
                    aria-describedby="idle-help" prop:value=idle on:input=move |ev| idle.set(event_target_value(&ev)) />
                <p class="actions">
                    <a class="button" href=back>{crate::i18n::Msg::Previous.get(lang)}</a>
                    <button class="primary" type="submit" data-testid="handover-start" disabled=move || busy.get()>
                        {t(if starting { HoMsg::Start } else { HoMsg::Save })}
                    </button>
                </p>
                {move || note.get().map(|(error, text)| view! {
                    <p class=if error { "banner error" } else { "banner info" } role=if error { "alert" } else { "status" }
                        data-testid="handover-note">{text}</p>
                })}
            </form>
        </section>
    }
}

/// `#/r/<id>/unlock`: the hand-back screen.
#[component]
pub fn Unlock(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: HoMsg| m.get(lang);
    let id = match Route::parse(&browser::location_hash()) {
        Route::Unlock { id } => id,
        _ => String::new(),
    };
    let pin = RwSignal::new(String::new());
    let note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The device's PIN, or its passphrase (`lock::asks`): the keypad to show.
    let asked = super::lock::asks(&kv);
    // Unlocked, but a stronger lock could not be written: said, and the worker goes on
    // from here.
    let go_on = RwSignal::new(None::<Route>);
    // Locked (the page was reloaded, opened in another tab, or locked itself while handed
    // over): the resident's answers cannot be opened without the PIN, so there is no going
    // on; the worker's PIN unlocks the device and ends the hand-over in one go.
    let locked = !matches!(Sealer::of(&kv), Sealer::Open(_));
    // Back where the resident was (kept by the app when this screen came up), or to the
    // start of the resident's sections; never to any other response.
    let resume = {
        let (kv, id) = (kv.clone(), id.clone());
        move |_| {
            let form = form_of(&kv, &id);
            let at = LocalStore::session()
                .and_then(|s| s.get(RESUME_KEY).ok().flatten())
                .map(|h| Route::parse(&h))
                .filter(|r| match (r, &form) {
                    (
                        Route::Survey { id: i, section } | Route::Question { id: i, section, .. },
                        Some(f),
                    ) => *i == id && for_resident(f, *section),
                    _ => false,
                })
                .unwrap_or_else(|| resident_start(&kv, &id));
            browser::set_hash(&at.to_hash());
        }
    };
    let submit = {
        let (kv, id) = (kv.clone(), id.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let wait = HandoverStore::new(kv.clone())
                .backoff()
                .wait(browser::now_ms());
            if wait > 0.0 {
                return note.set(Some(format!(
                    "{} {}",
                    t(HoMsg::Wait),
                    (wait / 1000.0).ceil()
                )));
            }
            busy.set(true);
            note.set(None);
            let typed = pin.get_untracked();
            let (kv, id) = (kv.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // The device PIN ends a hand-over (`ui::lock` counts wrong ones).
                let checked = super::lock::try_secret(&kv, &typed, true).await;
                busy.set(false);
                pin.set(String::new());
                match checked {
                    Ok(super::lock::Tried::Right { key, rewrap_failed }) => {
                        crate::vault::holder::hold(&key);
                        if HandoverStore::new(kv.clone()).stop().is_err() {
                            return note.set(Some(t(HoMsg::NotSaved).to_owned()));
                        }
                        // The worker goes on with the same response: its worker section.
                        let section = form_of(&kv, &id).and_then(|f| f.worker_section());
                        let next = match section {
                            Some(section) => Route::Survey { id, section },
                            None => Route::Review { id },
                        };
                        if rewrap_failed {
                            note.set(Some(LockMsg::RewrapFailed.get(lang).to_owned()));
                            go_on.set(Some(next));
                        } else {
                            browser::set_hash(&next.to_hash());
                        }
                    }
                    Ok(super::lock::Tried::Wrong) => {
                        let wrong = super::lock::wrong(asked, lang);
                        let wait = HandoverStore::new(kv.clone())
                            .backoff()
                            .wait(browser::now_ms());
                        note.set(Some(if wait > 0.0 {
                            format!("{wrong} {} {}", t(HoMsg::Wait), (wait / 1000.0).ceil())
                        } else {
                            wrong.to_owned()
                        }));
                    }
                    Err(m) => note.set(Some(m.text(lang).to_owned())),
                }
            });
        }
    };
    if id.is_empty() {
        return view! { <p class="banner error" role="alert">{t(HoMsg::NotFound)}</p> }.into_any();
    }
    request_animation_frame(|| {
        browser::focus_by_id("handback-title");
    });
    view! {
        <section class="unlock" data-testid="unlock">
            <h1 id="handback-title" tabindex="-1">{t(HoMsg::ThankYou)}</h1>
            <p class="give-back" data-testid="give-back-note">{t(if locked { HoMsg::LockedGiveBack } else { HoMsg::GiveBack })}</p>
            <p class="actions" hidden=locked>
                <button data-testid="resume" on:click=resume>{t(HoMsg::Continue)}</button>
            </p>
            <form class="worker-unlock" on:submit=submit>
                <label for="unlock-pin">{match asked {
                    Secret::Pin => t(HoMsg::WorkerPin),
                    Secret::Passphrase => LockMsg::EnterPhrase.get(lang),
                }}</label>
                <input id="unlock-pin" data-testid="unlock-pin" type="password"
                    inputmode=match asked { Secret::Pin => "numeric", Secret::Passphrase => "text" }
                    data-kind=match asked { Secret::Pin => "pin", Secret::Passphrase => "phrase" }
                    autocomplete="off" autocapitalize="off" spellcheck="false"
                    prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                <button class="primary" type="submit" data-testid="unlock-submit" disabled=move || busy.get() || go_on.with(Option::is_some)>
                    {t(HoMsg::Unlock)}
                </button>
                {move || note.get().map(|text| view! {
                    <p class="banner error" role="alert" data-testid="unlock-note">{text}</p>
                })}
                {move || go_on.get().map(|next| view! {
                    <p><button class="primary" type="button" data-testid="unlock-go-on"
                        on:click=move |_| browser::set_hash(&next.to_hash())>{LockMsg::GoOn.get(lang)}</button></p>
                })}
            </form>
        </section>
    }
    .into_any()
}
