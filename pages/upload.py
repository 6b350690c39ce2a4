"""Survey upload: validate a CSV or Excel workbook, store it as a batch of a round; batches, trash, originals (HR only)."""

import os

import pandas as pd
import streamlit as st

from framework import clock, identity, storage, survey
from framework.catalog import STAGES
from framework.outputs import export
from framework.store import RoundConflict, SurveyStore, campaign_batch
from framework.text import md
from ui import shell
from ui.downloads import table_downloads

lang = shell.setup("upload", "นำเข้าแบบสำรวจ", "Survey upload")
tr = shell.tr
cat = shell.catalog()
name_col = "name_en" if lang == "en" else "name_th"


# --- format documentation and template (public) -----------------------------------------------------------
with st.expander(tr("รูปแบบไฟล์แบบสำรวจ", "Survey file format"), icon=":material/description:"):
    st.markdown(survey.rules.markdown(lang))  # the one text of the rules (README shows the same)
    lv = survey.levels_table().rename(
        columns={"level": tr("ระดับ", "Level"), "label_th": "ภาษาไทย", "label_en": "English"}
    )
    st.dataframe(lv, hide_index=True)
    table_downloads(lv, "survey-levels", None, key="up_levels_dl")
    groups = cat.staff_groups()
    st.markdown(
        "**"
        + tr("ชื่อกลุ่มบุคลากรที่รับได้ (ไม่สนตัวพิมพ์และช่องว่าง)", "Accepted staff-group names (case- and space-insensitive)")
        + "**"
    )
    accepted = pd.DataFrame(
        {
            "group": groups["key"],
            tr("ชื่อไทย", "Thai name"): groups["name_th"],
            tr("ชื่ออื่นที่รับได้", "Other accepted names"): [", ".join(v) for v in groups["variants"]],
        }
    )
    st.dataframe(accepted, hide_index=True)
    table_downloads(accepted, "survey-staff-group-names", None, key="up_groups_dl")
t1, t2 = st.columns(2)
t1.download_button(
    tr("ดาวน์โหลดแม่แบบ CSV", "Download the CSV template"),
    lambda: survey.template_csv(cat),  # made on click
    file_name="survey_template.csv",
    mime="text/csv",
    key="up_template",
    icon=":material/download:",
    on_click="ignore",
)
t2.download_button(
    tr("ดาวน์โหลดแม่แบบ Excel (.xlsx)", "Download the Excel template (.xlsx)"),
    lambda: survey.template_xlsx(cat),  # made on click
    file_name="survey_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="up_template_xlsx",
    icon=":material/download:",
    on_click="ignore",
    help=tr(
        "มีรายการให้เลือกกลุ่มบุคลากร รับเฉพาะระดับ 0–4 และมีแผ่นอธิบายระดับและหน่วยความสามารถ",
        "A staff-group drop-down, only levels 0-4 accepted, and sheets explaining the levels and units.",
    ),
)

# --- access -----------------------------------------------------------------------------------------------
shell.hr_gate(
    "up_pass",
    "การนำเข้า การลบ และการดูข้อมูลรายคน ต้องใช้รหัสผ่าน HR",
    "Uploading, deleting batches and row-level views need the HR passphrase.",
)

store = SurveyStore(shell.connection(), cat)
principal = shell.principal()
rows_of = identity.row_scope(principal)  # signed in: only the agencies this person may upload to (framework.identity)


def stage_label(key) -> str:
    return cat.label("stages", key, lang) if isinstance(key, str) and key else "—"


def day(value) -> str:
    return clock.date_text(value, lang) if value is not None and pd.notna(value) else "—"


def batch_label(r) -> str:
    """File name, agency, round and upload time first; the batch id last."""
    return (
        f"{campaign_batch.label(r.file_name, r.content_hash, r.respondents, lang)} · {r.agency or '—'} · "
        f"{tr('รอบ', 'round')} {day(r.round_date)} · "
        f"{clock.datetime_text(r.uploaded_at, lang)} · {r.batch_id[:8]}"
    )


# --- upload -----------------------------------------------------------------------------------------------
st.subheader(tr("นำเข้าไฟล์", "Import a file"))
st.caption(
    tr(
        "รอบสำรวจ = หน่วยงาน + วันที่รอบ ผู้ตอบหนึ่งคน (รหัสผู้ตอบในหน่วยงาน) นับได้ครั้งเดียวต่อรอบ: "
        "ไฟล์ที่มีคนที่อยู่ในรอบนี้แล้วจะถูกถามก่อนว่าจะแทนที่หรือข้าม",
        "A survey round = agency + round date. A person (respondent id within the agency) counts once per "
        "round: a file with people already in that round asks first whether to replace or skip them.",
    )
)
# .xls is let through so that it gets the app's own bilingual "save it as .xlsx" message, not the widget's.
up = st.file_uploader(
    tr("ไฟล์แบบสำรวจ (CSV หรือ Excel .xlsx)", "Survey file (CSV or Excel .xlsx)"),
    type=["csv", "txt", "tsv", "xlsx", "xls"],
    key="up_file",
    help=tr(
        "CSV หรือสมุดงาน Excel (.xlsx: อ่านแผ่นงานแรก) — ไฟล์ .xls รุ่นเก่าให้บันทึกเป็น .xlsx หรือ CSV UTF-8 ก่อน",
        "CSV or an Excel workbook (.xlsx: the first worksheet is read) - save old .xls files "
        "as .xlsx or CSV UTF-8 first.",
    ),
)


NEW = "\u2795"  # the "new agency" choice of the agency list


def offer_last_stage() -> None:
    """Once an agency is chosen, offer the stage of its last round."""
    last = store.last_round(st.session_state.get("up_agency"))
    if last and last["stage"]:
        st.session_state["up_stage"] = last["stage"]


c1, c2, c3 = st.columns(3)
known = identity.keep(rows_of, store.agencies())
if st.session_state.get("up_agency_next") in known:  # a new agency just imported stays chosen
    st.session_state["up_agency"] = st.session_state.pop("up_agency_next")
NEW_LABEL = tr("+ หน่วยงานใหม่…", "+ A new agency…")
agency = (
    c1.selectbox(
        tr("หน่วยงาน", "Agency"),
        [*known, NEW] if rows_of is None else known,
        index=None,
        key="up_agency",
        on_change=offer_last_stage,
        placeholder=tr("เลือกหน่วยงาน", "Choose the agency"),
        format_func=lambda a: NEW_LABEL if a == NEW else a,
    )
    if known or rows_of is not None
    else NEW
)
if agency == NEW:
    agency = c1.text_input(tr("ชื่อหน่วยงาน (ใหม่)", "Agency name (new)"), key="up_agency_new").strip() or None
stage = c2.selectbox(
    tr("ระยะของหน่วยงานในรอบนี้", "Agency stage in this round"),
    STAGES,
    index=None,
    key="up_stage",
    format_func=stage_label,
    placeholder=tr("เลือกระยะ", "Choose the stage"),
)
round_date = c3.date_input(tr("วันที่รอบสำรวจ", "Survey round date"), value=None, key="up_round", format="YYYY-MM-DD")
if round_date:
    c3.caption(day(round_date))  # the picker shows ISO dates; Thai readers get the Buddhist-era date here
check = store.check_metadata(agency, stage, round_date)
try:
    if agency:
        identity.check(principal, "upload", check.agency or agency)
except identity.ScopeError as exc:
    st.error(md(exc.message(lang)), icon=":material/lock:")
    st.stop()
if check.lookalike:  # the agency typed only looks like a stored one (or mixes scripts): named, before the upload
    st.warning(md(tr(*check.lookalike)), icon=":material/warning:")
last = store.last_round(agency) if agency else None
if last:
    st.caption(
        tr(
            f"รอบล่าสุดของหน่วยงานนี้: {day(last['round_date'])} · {stage_label(last['stage'])}",
            f"This agency's last round: {day(last['round_date'])}, stage {stage_label(last['stage'])}.",
        )
    )
    if last["round_date"] and round_date != last["round_date"]:
        st.button(
            tr(f"เพิ่มในรอบเดิม ({day(last['round_date'])})", f"Add to that round ({day(last['round_date'])})"),
            key="up_same_round",
            on_click=lambda d=last["round_date"]: st.session_state.update(up_round=d),
        )
confirmed = {
    key
    for key, th, en in check.confirm
    if st.checkbox(tr(f"{md(th)} — ยืนยันว่าถูกต้อง", f"{md(en)} - confirm this is right"), key=f"up_confirm_{key}")
}
if check.missing:
    st.caption(tr("ก่อนนำเข้า: ", "Before importing: ") + "; ".join(tr(th, en) for th, en in check.missing))
for th, en in check.refused:  # a round date out of range (the same rule as the CLI's ingest)
    st.error(tr(th, en), icon=":material/event_busy:")


def run_import(on_conflict: str) -> None:
    bar = st.progress(0.0)
    fd, tmp = survey.temp_file(".csv")  # the content, not the name, says CSV or workbook; swept if left behind
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(up.getvalue())
        res = store.ingest(
            tmp,
            file_name=up.name,
            agency=agency,
            stage=stage,
            round_date=round_date,
            on_conflict=on_conflict,
            progress=lambda frac, th, en: bar.progress(frac, text=tr(th, en)),
            scope=rows_of,
        )
        st.session_state["up_result"] = res
        st.session_state["up_agency_next"] = check.agency
        if res.batch_id and not res.refused:
            shell.audit(
                "upload",
                check.agency,
                f"{up.name}: batch {res.batch_id}, {res.respondents} people"
                + (" (same file again)" if res.duplicate else ""),
            )
        st.session_state.pop("up_error", None)
        st.cache_data.clear()  # survey views must see the new batch
    except (survey.SurveyFileError, storage.StoreWriteError) as exc:  # a full disk: one bilingual line
        st.session_state["up_error"] = (exc.th, exc.en)
        st.session_state.pop("up_result", None)
    except OSError as exc:  # the upload's temporary copy on a full disk
        failure = storage.write_failure(exc)
        if failure is None:
            raise
        st.session_state["up_error"] = (failure.th, failure.en)
        st.session_state.pop("up_result", None)
    finally:
        os.unlink(tmp)
        bar.empty()


if st.button(
    tr("ตรวจและนำเข้า", "Check and import"),
    key="up_go",
    type="primary",
    disabled=up is None or not check.ready(confirmed),
):
    run_import("refuse")

if "up_error" in st.session_state:
    st.error(md(tr(*st.session_state["up_error"])), icon=":material/error:")
res = st.session_state.get("up_result")
if res is not None and res.refused:
    st.warning(md(tr(*res.conflict_message())), icon=":material/group:")
    choices = {
        "replace": tr("แทนที่คำตอบเดิมด้วยคำตอบในไฟล์นี้", "Replace their earlier answers with this file's"),
        "skip": tr("ข้ามคนเหล่านี้ นำเข้าเฉพาะคนใหม่", "Skip them; import only the new people"),
    }
    choice = st.radio(
        tr("ผู้ตอบที่มีอยู่แล้วในรอบนี้", "People already in this round"),
        list(choices),
        index=None,
        key="up_on_conflict",
        format_func=choices.get,
    )
    if st.button(
        tr("นำเข้าด้วยตัวเลือกนี้", "Import with this choice"),
        key="up_go_again",
        disabled=choice is None or up is None or not check.ready(confirmed),
    ):
        run_import(choice)
        st.rerun()
elif res is not None:
    if res.duplicate:
        st.info(md(tr(*res.duplicate_message())), icon=":material/content_copy:")  # counters: 0
    else:
        st.success(
            tr(
                f"นำเข้าชุด {res.batch_id} แล้ว ({res.encoding}, แบบ{'กว้าง' if res.source_format == 'wide' else 'ยาว'})",
                f"Imported batch {res.batch_id} ({res.encoding}, {md(res.source_format)} format).",
            )
        )
    if res.conflicts:
        st.info(md(tr(*res.conflict_message())), icon=":material/group:")
if res is not None:
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("แถวที่อ่าน", "Rows read"), f"{res.rows_read:,}")
    m2.metric(tr("รับเข้า", "Accepted"), f"{res.accepted:,}")
    m3.metric(tr("ไม่รับ", "Rejected"), f"{res.rejected:,}")
    for n in res.notices:
        (st.warning if n.level == "warning" else st.info)(md(n.text(lang)))
    if len(res.problems):
        st.markdown("#### " + tr("ปัญหาที่พบ", "Problems found"))
        if res.problems_truncated:
            st.caption(
                tr(
                    f"แสดง {len(res.problems):,} ปัญหาแรก (แถวที่ไม่รับครบทุกแถวในไฟล์ดาวน์โหลด)",
                    f"Showing the first {len(res.problems):,} problems (the download has every rejected row).",
                )
            )
        table = pd.DataFrame(
            {
                tr("แถว", "Row"): res.problems["row"],
                tr("คอลัมน์", "Column"): res.problems["column"],
                tr("ค่า", "Value"): res.problems["value"].fillna(""),
                tr("ปัญหา", "Reason"): res.problems["reason_en" if lang == "en" else "reason_th"],
                tr("วิธีแก้", "How to fix"): res.problems["fix_en" if lang == "en" else "fix_th"],
            }
        )
        # Wide text columns: the grid clips a cell at its width, mid-word, so the words get the room.
        st.dataframe(
            table,
            hide_index=True,
            key="up_problems",
            column_config={
                tr("ปัญหา", "Reason"): st.column_config.TextColumn(width="large"),
                tr("วิธีแก้", "How to fix"): st.column_config.TextColumn(width="large"),
            },
        )
        table_downloads(table, "upload-problems", key="up_problems_dl")
    if len(res.rejected_rows):
        st.download_button(
            tr("ดาวน์โหลดแถวที่ไม่รับ (พร้อมเหตุผล)", "Download the rejected rows (with reasons)"),
            export.to_csv(res.rejected_rows),  # formula-like cells neutralised for Excel
            file_name=f"rejected_{res.file_name}",
            mime="text/csv",
            key="up_rejected_dl",
            icon=":material/download:",
            on_click="ignore",
        )

# --- batches ----------------------------------------------------------------------------------------------
COLUMNS = {
    "file_name": ("ไฟล์", "File"),
    "agency": ("หน่วยงาน", "Agency"),
    "round_date": ("รอบสำรวจ", "Round"),
    "stage": ("ระยะ", "Stage"),
    "uploaded_at": ("นำเข้าเมื่อ", "Uploaded"),
    "respondents": ("ผู้ตอบ (ปัจจุบัน)", "Respondents (now)"),
    "replaced": ("ถูกแทนที่", "Replaced"),
    "rows_read": ("แถวที่อ่าน", "Rows read"),
    "accepted": ("รับเข้า", "Accepted"),
    "rejected": ("ไม่รับ", "Rejected"),
    "is_demo": ("ข้อมูลสาธิต", "Demo"),
    "source_format": ("รูปแบบ", "Format"),
    "encoding": ("รหัสอักขระ", "Encoding"),
    "deleted_at": ("ลบเมื่อ", "Deleted"),
    "deleted_by": ("ลบโดย", "Deleted by"),
    "batch_id": ("ชุด", "Batch"),
}


def batch_view(df: pd.DataFrame) -> pd.DataFrame:
    """The batch list as people read it: file, agency, round and time first; the hex id last."""
    view = df.assign(
        file_name=[
            campaign_batch.label(f, h, n, lang)
            for f, h, n in zip(df["file_name"], df["content_hash"], df["respondents"])
        ],
        agency=df["agency"].fillna(""),
        stage=[stage_label(k) if isinstance(k, str) else "" for k in df["stage"]],
        round_date=[day(d) if pd.notna(d) else "" for d in df["round_date"]],
        uploaded_at=[clock.datetime_text(d, lang) for d in df["uploaded_at"]],
        is_demo=[tr("ใช่", "yes") if x else "" for x in df["is_demo"]],
        source_format=[
            {"wide": tr("แบบกว้าง", "wide"), "long": tr("แบบยาว", "long")}.get(x, x or "") for x in df["source_format"]
        ],
    )
    if "deleted_at" in view:
        view["deleted_at"] = [clock.datetime_text(d, lang) for d in view["deleted_at"]]
        view["deleted_by"] = view["deleted_by"].fillna("")
    cols = [c for c in COLUMNS if c in view]
    return view[cols].rename(columns={c: tr(*COLUMNS[c]) for c in cols})


def agency_of(batch_id: str, deleted: bool) -> str | None:
    """The batch's agency, for its audit line."""
    df = store.batches(deleted=deleted)
    row = df[df["batch_id"] == batch_id]
    return None if row.empty or pd.isna(row["agency"].iloc[0]) else str(row["agency"].iloc[0])


def do_delete(batch_id: str, who: str) -> None:
    """Move to the trash, then reset the confirmation and the selection (one click = one batch)."""
    agency = agency_of(batch_id, False)
    identity.check(principal, "upload", agency)  # never another agency's batch, whatever the widget was sent
    try:
        deleted = store.delete(batch_id, who.strip() or tr("หน้านำเข้า (HR)", "upload page (HR)"))
    except storage.StoreWriteError as exc:
        st.session_state["up_error"] = (exc.th, exc.en)
        deleted = False
    if deleted:
        shell.audit("delete", agency, f"batch {batch_id}" + (f" (name given: {who.strip()})" if who.strip() else ""))
        st.cache_data.clear()
        st.session_state.pop("up_result", None)
        st.session_state["up_done"] = (
            f"ย้ายชุด {batch_id} ไปถังขยะแล้ว (กู้คืนได้จากถังขยะ)",
            f"Moved batch {batch_id} to the trash (it can be restored from there).",
        )
    st.session_state["up_del_confirm"] = False
    st.session_state["up_del_batch"] = None


def do_trash(action: str, batch_id: str) -> None:
    """Restore or purge one trashed batch; a refused restore says which people clash."""
    st.session_state["up_purge_confirm"] = False
    st.session_state["up_trash_batch"] = None
    agency = agency_of(batch_id, True)
    identity.check(principal, "upload", agency)
    try:
        done = store.restore(batch_id) if action == "restore" else store.purge(batch_id)
    except (RoundConflict, storage.StoreWriteError) as exc:
        st.session_state["up_trash_error"] = (exc.th, exc.en)
        return
    if done:
        shell.audit(action, agency, f"batch {batch_id}")
        st.cache_data.clear()
        st.session_state["up_done"] = (
            (f"กู้คืนชุด {batch_id} แล้ว", f"Restored batch {batch_id}.")
            if action == "restore"
            else (f"ลบชุด {batch_id} ถาวรแล้ว", f"Purged batch {batch_id} for good.")
        )


st.subheader(tr("ชุดข้อมูลที่นำเข้าแล้ว", "Stored batches"))
if "up_done" in st.session_state:
    st.success(md(tr(*st.session_state.pop("up_done"))), icon=":material/check:")
batches = store.batches()
batches = batches[[identity.within(rows_of, a) for a in batches["agency"]]] if rows_of is not None else batches
if batches.empty:
    st.caption(tr("ยังไม่มีชุดข้อมูล", "No batches yet."))
else:
    view = batch_view(batches)
    st.dataframe(view, hide_index=True, key="up_batches")
    table_downloads(view, "survey-batches", key="up_batches_dl")
    labels = {r.batch_id: batch_label(r) for r in batches.itertuples()}
    with st.expander(tr("ดาวน์โหลดไฟล์ต้นฉบับ", "Download an original file"), icon=":material/download:"):
        pick = st.selectbox(tr("ชุด", "Batch"), list(labels), format_func=labels.get, key="up_orig_batch")
        kept = store.original_name(pick) if pick else None  # the bytes are read on click, not every rerun
        if kept:
            rec = shell.export_recorder(f"original file of batch {pick}")
            st.download_button(
                tr(f"ดาวน์โหลด {md(kept)}", f"Download {md(kept)}"),
                lambda b=pick, k=kept: (rec(k), store.original(b)[1])[1],
                file_name=kept,
                key="up_orig_dl",
                icon=":material/download:",
                on_click="ignore",
            )
        else:
            st.caption(
                tr(
                    "ไม่ได้เก็บไฟล์ต้นฉบับของชุดนี้ (นำเข้าก่อนรุ่นที่เก็บไฟล์)",
                    "The original file of this batch was not kept (imported before files were kept).",
                )
            )
    with st.expander(tr("ลบชุดข้อมูล (ย้ายไปถังขยะ)", "Delete a batch (move it to the trash)"), icon=":material/delete:"):
        target = st.selectbox(
            tr("ชุดที่จะลบ", "Batch to delete"),
            list(labels),
            format_func=labels.get,
            index=None,
            key="up_del_batch",
            placeholder=tr("เลือกชุด", "Choose a batch"),
        )
        who = st.text_input(tr("ชื่อผู้ลบ (บันทึกในถังขยะ)", "Your name (recorded in the trash)"), key="up_who")
        sure = st.checkbox(
            tr(
                "ยืนยัน: ย้ายชุดนี้และคำตอบทั้งหมดของชุดนี้ไปถังขยะ (หายจากทุกหน้าจนกว่าจะกู้คืน)",
                "Confirm: move this batch and all its responses to the trash (gone from every view until restored)",
            ),
            key="up_del_confirm",
            disabled=target is None,
        )
        st.button(
            tr(":red[ย้ายไปถังขยะ]", ":red[Move to the trash]"),
            key="up_del_go",
            type="secondary",
            icon=":material/delete:",
            disabled=not (sure and target),
            on_click=do_delete,
            args=(target, who),
        )

# --- trash ------------------------------------------------------------------------------------------------
trash = store.batches(deleted=True)
trash = trash[[identity.within(rows_of, a) for a in trash["agency"]]] if rows_of is not None else trash
st.subheader(tr("ถังขยะ", "Trash") + f" ({len(trash)})")
if "up_trash_error" in st.session_state:
    st.error(md(tr(*st.session_state.pop("up_trash_error"))), icon=":material/group:")
if trash.empty:
    st.caption(tr("ถังขยะว่าง", "The trash is empty."))
else:
    st.dataframe(batch_view(trash), hide_index=True, key="up_trash")
    tlabels = {r.batch_id: batch_label(r) for r in trash.itertuples()}
    chosen = st.selectbox(
        tr("ชุดในถังขยะ", "Batch in the trash"),
        list(tlabels),
        format_func=tlabels.get,
        index=None,
        key="up_trash_batch",
        placeholder=tr("เลือกชุด", "Choose a batch"),
    )
    r1, r2 = st.columns(2)
    r1.button(
        tr("กู้คืนทั้งชุด", "Restore the whole batch"),
        key="up_restore",
        icon=":material/restore_from_trash:",
        disabled=chosen is None,
        on_click=do_trash,
        args=("restore", chosen),
    )
    purge_ok = r2.checkbox(
        tr(
            "ยืนยัน: ลบถาวร รวมไฟล์ต้นฉบับ (กู้คืนไม่ได้อีก)",
            "Confirm: delete for good, with its original file (cannot be undone)",
        ),
        key="up_purge_confirm",
        disabled=chosen is None,
    )
    r2.button(
        tr(":red[ลบถาวร]", ":red[Purge for good]"),
        key="up_purge",
        icon=":material/delete_forever:",
        disabled=not (purge_ok and chosen),
        on_click=do_trash,
        args=("purge", chosen),
    )
