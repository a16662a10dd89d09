"""The reading worklist and the imaging report (影像诊断申请, 阅片, 影像诊断报告): a workflow
on the one engine (core/workflow, ADR 14), described in docs/adr/0024-imaging-reading.md."""
