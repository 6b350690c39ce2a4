"""How every figure is computed, in English and Thai (shown under every survey page; same text as the README)."""

DEFINITIONS_EN = """\
- **Meets a unit**: a respondent meets unit *u* when their level for *u* is known and at least the threshold *t* (default 3). Not assessed counts as not met.
- **Coverage** of unit *u* in a set of respondents: the share of them who meet *u*.
- **Readiness** of a respondent at stage *s*: the share of the units required by the role profile (*s*, their staff group) that they meet. Readiness of a set is the mean over its respondents. **Fully ready**: the share of respondents whose readiness is 100%.
- **Stage reached** by a set: the highest stage whose readiness is at least the target (default 80%), or none.
- **Blocking units** for a stage: the units that stage's profiles require, ranked by lowest coverage among the respondents whose profile requires them.
- **Small cells** (Thailand's PDPA): any figure over fewer than *k* respondents (default 5) is hidden, never shown as 0, on screen and in every export. When a total and all but one of its parts would be shown, the next-smallest part is hidden too (complementary suppression); and while the hidden parts together would come out at 0% or 100% (the total minus the shown parts), one more part is hidden. So a hidden figure cannot be recomputed by subtraction. A blocking unit is also hidden when the respondents it does not apply to are fewer than *k*, when it would single out one staff group that the coverage heatmap hides, or when the groups hidden on the heatmap (inside or outside the ones it applies to) would come out at 0% or 100%.
- **Training need** for unit *u* at stage *s*: among the respondents whose role profile (*s*, their staff group) requires *u*, those whose level is unknown or below *t* ("to develop"); "not assessed" are those with no level. A staff group's figure is hidden wherever the coverage heatmap hides it, and a unit's total wherever the blocking-unit figure (the same count) is hidden.
- For agency or org-unit columns, a unit counts as *required* when the stage's profile of at least one selected staff group requires it.
"""

DEFINITIONS_TH = """\
- **ผ่านหน่วยความสามารถ**: ผู้ตอบผ่านหน่วย *u* เมื่อทราบระดับของหน่วย *u* และระดับนั้นไม่ต่ำกว่าเกณฑ์ *t* (ค่าเริ่มต้น 3) หน่วยที่ไม่ได้ประเมินถือว่าไม่ผ่าน
- **ความครอบคลุม** ของหน่วย *u* ในกลุ่มผู้ตอบ: สัดส่วนของผู้ตอบที่ผ่านหน่วย *u*
- **ความพร้อม** ของผู้ตอบในระยะ *s*: สัดส่วนของหน่วยที่บทบาท (ระยะ *s*, กลุ่มบุคลากรของผู้ตอบ) กำหนดไว้ ซึ่งผู้ตอบผ่าน ความพร้อมของกลุ่มคือค่าเฉลี่ยของผู้ตอบในกลุ่ม **พร้อมเต็มที่**: สัดส่วนผู้ตอบที่มีความพร้อม 100%
- **ระยะที่บรรลุ** ของกลุ่ม: ระยะสูงสุดที่ความพร้อมไม่ต่ำกว่าเป้าหมาย (ค่าเริ่มต้น 80%) หรือยังไม่บรรลุระยะใด
- **หน่วยที่เป็นอุปสรรค** ของระยะ: หน่วยที่บทบาทของระยะนั้นกำหนด เรียงจากความครอบคลุมต่ำสุด (นับเฉพาะผู้ตอบที่บทบาทกำหนดหน่วยนั้น)
- **ช่องข้อมูลขนาดเล็ก** (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล): ตัวเลขใดที่คำนวณจากผู้ตอบน้อยกว่า *k* คน (ค่าเริ่มต้น 5) จะถูกซ่อน ไม่แสดงเป็น 0 ทั้งบนหน้าจอและในไฟล์ส่งออก หากแสดงยอดรวมและทุกส่วนยกเว้นส่วนเดียว จะซ่อนส่วนที่เล็กที่สุดถัดไปด้วย (การซ่อนเสริม) และหากส่วนที่ซ่อนรวมกันคำนวณย้อนได้เป็น 0% หรือ 100% (ยอดรวมลบส่วนที่แสดง) จะซ่อนเพิ่มอีกหนึ่งส่วน จึงคำนวณตัวเลขที่ซ่อนย้อนกลับด้วยการลบไม่ได้ หน่วยที่เป็นอุปสรรคจะถูกซ่อนด้วยเมื่อผู้ตอบที่บทบาทไม่กำหนดหน่วยนั้นมีน้อยกว่า *k* คน เมื่อจะเผยค่าของกลุ่มบุคลากรกลุ่มเดียวที่แผนภาพความครอบคลุมซ่อนไว้ หรือเมื่อกลุ่มที่ซ่อนบนแผนภาพ (ทั้งในและนอกกลุ่มที่หน่วยนั้นใช้) จะคำนวณย้อนได้เป็น 0% หรือ 100%
- **ความต้องการพัฒนา** ของหน่วย *u* ในระยะ *s*: ในบรรดาผู้ตอบที่บทบาท (ระยะ *s*, กลุ่มบุคลากรของผู้ตอบ) กำหนดหน่วย *u* คือผู้ที่ไม่ทราบระดับหรือระดับต่ำกว่า *t* ("ต้องพัฒนา") ส่วน "ไม่ได้ประเมิน" คือผู้ที่ไม่มีระดับ ค่าของกลุ่มบุคลากรจะถูกซ่อนทุกที่ที่แผนภาพความครอบคลุมซ่อน และยอดรวมของหน่วยจะถูกซ่อนทุกที่ที่ตัวเลขหน่วยที่เป็นอุปสรรค (ค่าเดียวกัน) ถูกซ่อน
- สำหรับคอลัมน์หน่วยงานหรือหน่วยงานย่อย หน่วยความสามารถนับว่า *ต้องมี* เมื่อบทบาทของระยะนั้นของกลุ่มบุคลากรที่เลือกอย่างน้อยหนึ่งกลุ่มกำหนดไว้
"""
