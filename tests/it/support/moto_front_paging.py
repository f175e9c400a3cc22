"""Paging where moto answers whole (part of moto_front).

moto 5.2.5 pages DescribeInstances (by reservation), DescribeLoadBalancers and
DescribeAutoScalingGroups, but answers these in one response whatever the page size says,
so a client that stopped after its first page would pass against it. The front pages them as
AWS does when the request names a page size (a request without one is answered whole, as AWS
answers it up to its default): the page size and token are taken off the request before moto
sees it, moto's whole list is cut to the page, and the token (the offset of the next item,
opaque to clients) is added when more remain.

    EC2 (query, XML):   MaxResults / NextToken -> nextToken
    ELBv2 (query, XML): PageSize / Marker      -> NextMarker
    CloudWatch (CBOR, translated to JSON for moto): MaxRecords / NextToken -> NextToken
"""

import io
from urllib.parse import urlencode
from xml.etree import ElementTree

# (signing service, action) -> (size parameter, token parameter, path to the list, path to the
# token in the answer); paths are element names under the root.
XML_LISTS = {
    ("ec2", "DescribeSubnets"): ("MaxResults", "NextToken", ["subnetSet"], ["nextToken"]),
    ("ec2", "DescribeInstanceStatus"): ("MaxResults", "NextToken", ["instanceStatusSet"],
                                        ["nextToken"]),
    ("ec2", "DescribeVolumes"): ("MaxResults", "NextToken", ["volumeSet"], ["nextToken"]),
    ("ec2", "DescribeSnapshots"): ("MaxResults", "NextToken", ["snapshotSet"], ["nextToken"]),
    ("ec2", "DescribeImages"): ("MaxResults", "NextToken", ["imagesSet"], ["nextToken"]),
    ("ec2", "DescribeNetworkInterfaces"): ("MaxResults", "NextToken", ["networkInterfaceSet"],
                                           ["nextToken"]),
    ("elasticloadbalancing", "DescribeTargetGroups"): (
        "PageSize", "Marker", ["DescribeTargetGroupsResult", "TargetGroups"],
        ["DescribeTargetGroupsResult", "NextMarker"]),
}

# CBOR action -> (size parameter, token parameter, list key, token key).
JSON_LISTS = {
    "DescribeAlarms": ("MaxRecords", "NextToken", "MetricAlarms", "NextToken"),
}


class BadToken(Exception):
    """A token this front did not hand out."""


def pages_xml(call):
    """Whether the front pages this XML request (a list moto answers whole, a page size asked)."""
    spec = XML_LISTS.get((call.service, call.action))
    return spec is not None and bool(call.params.get(spec[0]))


def window(params, size_key, token_key):
    """(offset, size) asked for; BadToken for a token that is not an offset."""
    try:
        start = int(params.get(token_key) or 0)
    except (TypeError, ValueError):
        raise BadToken(str(params.get(token_key)))
    if start < 0:
        raise BadToken(str(start))
    return start, max(int(params.get(size_key) or 0), 1)


def forward_environ(call):
    """The request without its page size and token, for moto (which would misread them)."""
    size_key, token_key, _, _ = XML_LISTS[(call.service, call.action)]
    kept = {k: v for k, v in call.params.items() if k not in (size_key, token_key)}
    body = urlencode(kept).encode()
    environ = dict(call.environ)
    environ.update({
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    })
    return environ


def page_xml(call, body):
    """moto's whole answer cut to the page asked for, with the next token when more remain."""
    size_key, token_key, list_path, token_path = XML_LISTS[(call.service, call.action)]
    start, size = window(call.params, size_key, token_key)
    root = ElementTree.fromstring(body)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    holder = root
    for name in list_path:
        found = holder.find(q(name))
        if found is None:
            found = ElementTree.SubElement(holder, q(name))
        holder = found
    items = list(holder)
    if start > len(items):
        raise BadToken(str(start))
    for item in items:
        holder.remove(item)
    for item in items[start:start + size]:
        holder.append(item)
    if start + size < len(items):
        parent = root
        for name in token_path[:-1]:
            parent = parent.find(q(name))
        ElementTree.SubElement(parent, q(token_path[-1])).text = str(start + size)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True,
                                default_namespace=ns or None)


def strip_json(action, params):
    """The CBOR request's parameters without its page size and token (None: not paged here)."""
    spec = JSON_LISTS.get(action)
    if spec is None or not params.get(spec[0]):
        return None, params
    window_of = {k: params.get(k) for k in spec[:2]}
    return window_of, {k: v for k, v in params.items() if k not in spec[:2]}


def page_json(action, window_of, parsed):
    """moto's whole (parsed) answer cut to the page asked for."""
    size_key, token_key, list_key, next_key = JSON_LISTS[action]
    start, size = window(window_of, size_key, token_key)
    items = parsed.get(list_key) or []
    if start > len(items):
        raise BadToken(str(start))
    parsed[list_key] = items[start:start + size]
    parsed.pop(next_key, None)
    if start + size < len(items):
        parsed[next_key] = str(start + size)
    return parsed
