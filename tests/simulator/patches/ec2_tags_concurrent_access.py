"""EC2 tag reads do not crash while CreateTags / DeleteTags run concurrently.

moto 5.2.5 keeps every EC2 tag in one ``{resource_id: {key: value}}`` dict per account and Region. CreateTags and DeleteTags
themselves behave under concurrency (last writer wins; no error measured), but every read of tags walks the per-resource
dicts of *all* resources (``describe_tags``, which DescribeTags, DescribeInstances, DescribeVolumes, ... and every
``tag:`` filter use), so a CreateTags or DeleteTags that adds or removes a key while another request reads fails that
read with ``RuntimeError: dictionary changed size during iteration``. moto server answers it with HTTP 500 and
werkzeug's HTML debug page, which botocore cannot parse: the caller gets ``ResponseParserError``, not retried. Measured
on plain moto, 4 threads tagging and untagging 3 instances while 4 threads run DescribeInstances / DescribeTags:
in-process (300 calls a thread) 3 reads failed; against ``serve --no-patches`` (150 calls a thread) 11 failed with
retries off and 21 with botocore's legacy retries (5 attempts). Two hubfix runs at the same moment (one tagging its
migration, the other describing instances) would hit it; AWS never fails a read because a write is under way.

The patch runs moto's tag operations (``create_tags``, ``delete_tags``, ``delete_tag_keys`` and ``describe_tags``) under
one re-entrant lock, so a read sees the tags before or after a write, and a write applies all its keys at once (as
AWS's last writer wins). DeleteTags also no longer risks a ``KeyError`` when two requests delete one key at once (moto
checks ``key in tags`` and then pops; not observed, but the window exists).
"""

from __future__ import annotations

import threading

NAME = "ec2-tags-concurrent-access"
AWS_BEHAVIOUR = (
    "CreateTags and DeleteTags may run concurrently with each other and with Describe* calls on the same resources: each "
    "succeeds, reads see the tags as they were before or after a write (last writer wins), and no read fails because "
    "a write is under way. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html"
)

LOCKED_METHODS = ("create_tags", "delete_tags", "delete_tag_keys", "describe_tags")


def apply():
    from moto.ec2.models.tags import TagBackend

    originals = {name: getattr(TagBackend, name) for name in LOCKED_METHODS}
    lock = threading.RLock()  # re-entrant, should one tag operation ever call another

    def locked(method):
        def wrapper(self, *args, **kwargs):
            with lock:
                return method(self, *args, **kwargs)

        wrapper.__name__ = method.__name__
        wrapper.__qualname__ = method.__qualname__
        wrapper.__doc__ = method.__doc__
        return wrapper

    for name, method in originals.items():
        setattr(TagBackend, name, locked(method))

    def undo():
        for name, method in originals.items():
            setattr(TagBackend, name, method)

    return undo
