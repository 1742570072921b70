"""chatdesk.attachments: files on messages, checked by content, stored locally or in GCS.

No Qt here. ``validate`` checks files (magic numbers, sizes, names); ``local_store`` and
``gcs_store`` implement ``blobstore.BlobStore``; ``service.AttachmentService`` adds, links and
serialises attachments and is the orchestrator's ``AttachmentResolver``; ``retention`` reaps
unused files; ``factory.build_attachment_service`` wires it from ``config.AttachmentsConfig``.
Modules are imported directly (this package imports nothing, to keep start-up light).
"""
