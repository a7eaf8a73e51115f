//! The device lock screen (`#/lock`, in the worker module), in one of three states:
//!
//! - **no PIN yet**: the worker chooses one; every record on the device is then sealed
//!   under a fresh data key (`store::vault::first_lock`);
//! - **locked**: the PIN unlocks, with growing waits after wrong ones; a forgotten PIN
//!   can only wipe the device;
//! - **unlocked**: lock now, the minutes before the tablet locks itself, a new PIN.
//!
//! The PIN's key comes from PBKDF2-HMAC-SHA-256 in WebCrypto (`handover::derive`), the
//! data key never leaves memory (`vault::holder`).

use super::browser;
use super::handover::derive;
use crate::handover::pin::check_new;
use crate::i18n::handover::HoMsg;
use crate::i18n::lock::LockMsg;
use crate::i18n::Lang;
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::vault::{self as v, Sealer, Status, FORGOT_KEY, LOCK_RETURN_KEY};
use crate::store::{HandoverStore, KvStore};
use crate::vault::holder;
use crate::vault::lock::ITERATIONS;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    NoPin,
    Locked,
    Open,
}

fn mode_of(kv: &LocalStore) -> Mode {
    match v::status(kv) {
        Ok(Status::NoPin) => Mode::NoPin,
        _ => match Sealer::of(kv) {
            Sealer::Open(_) => Mode::Open,
            _ => Mode::Locked,
        },
    }
}

/// Back to the screen the lock came up over (this tab's), or the list.
fn go_back() {
    let to = LocalStore::session()
        .and_then(|s| {
            let to = s.get(LOCK_RETURN_KEY).ok().flatten();
            let _ = s.remove(LOCK_RETURN_KEY);
            to
        })
        .map(|h| Route::parse(&h))
        .filter(|r| *r != Route::Lock)
        .unwrap_or(Route::List);
    browser::set_hash(&to.to_hash());
}

/// A fresh salt and the key `pin` derives with it.
async fn new_kek(pin: &str) -> Option<([u8; 16], [u8; 32])> {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&browser::random48()?[..16]);
    let kek = derive(pin, &salt, ITERATIONS).await?.try_into().ok()?;
    Some((salt, kek))
}

/// The key `pin` derives with each salt the store names.
async fn keks(pin: &str, salts: &[([u8; 16], u32)]) -> Option<Vec<[u8; 32]>> {
    let mut out = Vec::new();
    for (salt, rounds) in salts {
        out.push(derive(pin, salt, *rounds).await?.try_into().ok()?);
    }
    Some(out)
}

/// Checks `pin` against the store; `Ok(None)` if wrong, after counting the failure.
pub(super) async fn try_pin(
    kv: &LocalStore,
    pin: &str,
) -> Result<Option<crate::vault::Key>, HoMsg> {
    let Ok(Status::Pin(salts)) = v::status(kv) else {
        return Err(HoMsg::PinDamaged);
    };
    let keks = keks(pin, &salts).await.ok_or(HoMsg::NoCrypto)?;
    let store = HandoverStore::new(kv.clone());
    match v::unlock(kv, &keks) {
        Ok(Some(key)) => {
            let _ = store.set_backoff(&Default::default());
            Ok(Some(key))
        }
        Ok(None) => {
            let b = store.backoff().failed(browser::now_ms());
            let _ = store.set_backoff(&b);
            Ok(None)
        }
        Err(_) => Err(HoMsg::PinDamaged),
    }
}

#[component]
pub fn DeviceLock(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: LockMsg| m.get(lang);
    let h = move |m: HoMsg| m.get(lang);
    let mode = RwSignal::new(mode_of(&kv));
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let minutes = RwSignal::new(v::idle_minutes(&kv));
    let note = RwSignal::new(None::<String>);
    // The first PIN did not fit: the export (to make room) opens without one.
    let full = RwSignal::new(false);
    let done = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    // The wait left after wrong PINs, said in words, or `None` to go ahead.
    let waiting = {
        let kv = kv.clone();
        move || {
            let wait = HandoverStore::new(kv.clone())
                .backoff()
                .wait(browser::now_ms());
            (wait > 0.0).then(|| format!("{} {}", h(HoMsg::Wait), (wait / 1000.0).ceil()))
        }
    };

    let setup = {
        let kv = kv.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let (p, a) = (pin.get_untracked(), again.get_untracked());
            if let Err(problem) = check_new(&p, &a) {
                return note.set(Some(problem.text(lang).to_owned()));
            }
            busy.set(true);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let kv = kv.clone();
            spawn_local(async move {
                let Some((salt, kek)) = new_kek(&p).await else {
                    busy.set(false);
                    return note.set(Some(h(HoMsg::NoCrypto).to_owned()));
                };
                let _ = v::set_idle_minutes(&kv, minutes.get_untracked());
                match v::first_lock(&kv, &kek, salt, ITERATIONS) {
                    Ok(key) => {
                        holder::hold(&key);
                        // The new lock on disk before the worker goes on: a browser killed
                        // now must not come back without it (`super::journal`).
                        super::journal::when_flushed(None, go_back);
                    }
                    Err(e) => {
                        busy.set(false);
                        let is_full = e == crate::store::StoreError::QuotaExceeded;
                        if is_full {
                            if let Some(s) = LocalStore::session() {
                                let _ = s.set(FORGOT_KEY, "1");
                            }
                        }
                        full.set(is_full);
                        note.set(Some(
                            if is_full {
                                t(LockMsg::Full)
                            } else {
                                h(HoMsg::NotSaved)
                            }
                            .to_owned(),
                        ));
                    }
                }
            });
        }
    };

    let unlock = {
        let kv = kv.clone();
        let waiting = waiting.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            if let Some(w) = waiting() {
                return note.set(Some(w));
            }
            busy.set(true);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let typed = pin.get_untracked();
            let (kv, waiting) = (kv.clone(), waiting.clone());
            spawn_local(async move {
                let result = try_pin(&kv, &typed).await;
                busy.set(false);
                pin.set(String::new());
                match result {
                    Ok(Some(key)) => {
                        holder::hold(&key);
                        go_back();
                    }
                    Ok(None) => note.set(Some(match waiting() {
                        Some(w) => format!("{} {w}", h(HoMsg::WrongPin)),
                        None => h(HoMsg::WrongPin).to_owned(),
                    })),
                    Err(m) => note.set(Some(h(m).to_owned())),
                }
            });
        }
    };

    let change = {
        let kv = kv.clone();
        let waiting = waiting.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let (old, p, a) = (
                current.get_untracked(),
                pin.get_untracked(),
                again.get_untracked(),
            );
            if let Err(problem) = check_new(&p, &a) {
                return note.set(Some(problem.text(lang).to_owned()));
            }
            if let Some(w) = waiting() {
                return note.set(Some(w));
            }
            busy.set(true);
            done.set(None);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let kv = kv.clone();
            spawn_local(async move {
                let checked = try_pin(&kv, &old).await;
                let fresh = new_kek(&p).await;
                busy.set(false);
                current.set(String::new());
                let result = match (checked, fresh) {
                    (Ok(Some(old)), Some((salt, kek))) => {
                        v::change_pin(&kv, &old, &kek, salt, ITERATIONS)
                            .map_err(|_| HoMsg::NotSaved)
                    }
                    (Ok(None), _) => Err(HoMsg::WrongPin),
                    (Err(m), _) => Err(m),
                    (_, None) => Err(HoMsg::NoCrypto),
                };
                match result {
                    Ok(key) => {
                        holder::hold(&key);
                        pin.set(String::new());
                        again.set(String::new());
                        note.set(None);
                        super::journal::when_flushed(None, move || {
                            done.set(Some(t(LockMsg::Changed)))
                        });
                    }
                    Err(m) => note.set(Some(h(m).to_owned())),
                }
            });
        }
    };

    // Two taps, each after its warning: the first asks, the second wipes.
    let wipe_asked = RwSignal::new(false);
    let wipe = {
        let kv = kv.clone();
        move |_| {
            if !wipe_asked.get_untracked() {
                return wipe_asked.set(true);
            }
            let _ = v::wipe(&kv);
            if let Some(s) = LocalStore::session() {
                let _ = s.remove(FORGOT_KEY);
            }
            wipe_asked.set(false);
            note.set(None);
            mode.set(Mode::NoPin);
        }
    };
    let save_minutes = {
        let kv = kv.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(m) = event_target_value(&ev).parse::<u32>() {
                minutes.set(m);
                if mode.get_untracked() == Mode::Open {
                    let _ = v::set_idle_minutes(&kv, m);
                }
            }
        }
    };
    // As the lock button does: the page reloads, keeping nothing of any resident.
    let lock_now = move |_| {
        holder::forget();
        super::journal::when_flushed(Some(1000), browser::reload);
    };

    request_animation_frame(|| {
        browser::focus_by_id("lock-title");
    });
    let pin_box = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{label}</label>
            <input id=id data-testid=id type="password" inputmode="numeric" autocomplete="off"
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    let minutes_box = move || {
        view! {
            <label for="lock-minutes">{t(LockMsg::IdleMinutes)}</label>
            <input id="lock-minutes" data-testid="lock-minutes" type="number" min="1"
                max=v::MAX_IDLE_MINUTES.to_string() prop:value=move || minutes.get().to_string()
                on:change=save_minutes.clone() />
        }
    };
    let note_view = move || {
        note.get()
            .map(|text| view! { <p class="banner error" role="alert" data-testid="lock-note">{text}</p> })
    };

    // What the durable journal could not do at this start (src/ui/journal.rs): changes a
    // killed browser lost that did not fit back, or no journal at all on this browser.
    // Said here, on the screen every start opens with.
    let unrestored = super::journal::unrestored();
    let no_journal = super::journal::durability() == super::journal::Durability::Unavailable;
    view! {
        <p class="banner error" role="alert" data-testid="journal-unrestored" hidden=unrestored == 0>
            {t(LockMsg::Unrestored)}
        </p>
        <p class="banner warn" data-testid="journal-missing" hidden=!no_journal>{t(LockMsg::JournalMissing)}</p>
        <section class="device-lock" data-testid="device-lock" data-mode=move || match mode.get() {
            Mode::NoPin => "setup",
            Mode::Locked => "locked",
            Mode::Open => "open",
        }>
            {move || match mode.get() {
                Mode::NoPin => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::SetupTitle)}</h1>
                    <p>{t(LockMsg::SetupHelp)}</p>
                    <form on:submit=setup.clone()>
                        {pin_box("lock-new-pin", h(HoMsg::NewPin), pin)}
                        <p class="hint">{h(HoMsg::NewPinHelp)}</p>
                        {pin_box("lock-pin-again", h(HoMsg::PinAgain), again)}
                        {minutes_box()}
                        <button class="primary" type="submit" data-testid="lock-setup" disabled=move || busy.get()>
                            {t(LockMsg::Start)}
                        </button>
                        {note_view}
                        <p hidden=move || !full.get()>
                            <a class="button" href="#/export" data-testid="lock-make-room">{t(LockMsg::ExportToMakeRoom)}</a>
                        </p>
                    </form>
                    // A new tablet: everything back from the old one's backup, with its PIN.
                    <super::backup::Restore lang=lang kv=kv.clone() fresh=true done=Callback::new(|_| go_back()) />
                }.into_any(),
                Mode::Locked => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::LockedTitle)}</h1>
                    <p>{t(LockMsg::LockedHelp)}</p>
                    <form on:submit=unlock.clone()>
                        {pin_box("lock-pin", h(HoMsg::WorkerPin), pin)}
                        <button class="primary" type="submit" data-testid="lock-unlock" disabled=move || busy.get()>
                            {t(LockMsg::Unlock)}
                        </button>
                        {note_view}
                    </form>
                    <details class="forgot">
                        <summary data-testid="lock-forgot">{t(LockMsg::Forgot)}</summary>
                        <p>{t(LockMsg::ForgotHelp)}</p>
                        <p role="alert" hidden=move || !wipe_asked.get()>{t(LockMsg::WipeConfirm)}</p>
                        <button class="danger" data-testid="lock-wipe" on:click=wipe.clone()>
                            {move || t(if wipe_asked.get() { LockMsg::WipeConfirmAgain } else { LockMsg::Wipe })}
                        </button>
                    </details>
                }.into_any(),
                Mode::Open => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::SettingsTitle)}</h1>
                    <p class="actions">
                        <button class="primary" data-testid="lock-now-here" on:click=lock_now>{t(LockMsg::LockNow)}</button>
                    </p>
                    {minutes_box()}
                    <form on:submit=change.clone()>
                        <h2>{t(LockMsg::ChangePin)}</h2>
                        {pin_box("lock-current-pin", h(HoMsg::CurrentPin), current)}
                        {pin_box("lock-new-pin", h(HoMsg::NewPin), pin)}
                        {pin_box("lock-pin-again", h(HoMsg::PinAgain), again)}
                        <button type="submit" data-testid="lock-change" disabled=move || busy.get()>
                            {t(LockMsg::ChangePin)}
                        </button>
                        {note_view}
                        {move || done.get().map(|d| view! { <p class="banner info" role="status" data-testid="lock-done">{d}</p> })}
                    </form>
                    <super::backup::Restore lang=lang kv=kv.clone() fresh=false />
                }.into_any(),
            }}
        </section>
    }
}
