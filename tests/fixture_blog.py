"""The fixture blog of tests/fixtures/blog: a WordPress-like site served over real HTTP.

Posts are the seed pages' (`posts.json`, `posts/*.html`), laid out by the theme templates the way
a blog engine does it: a home page and paginated index pages (two posts a page), one page per
post with its canonical link, an RSS and an Atom feed, a sitemap index with gzip child sitemaps,
and a robots.txt naming it. Listings give the URL variants real blogs give: tracking parameters
on the home page and in the RSS feed, WordPress shortlinks (`/?p=812`, a 301) in the Atom feed,
an AMP copy (canonical to the post) on page 2; the sitemap gives the canonical URLs.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from claimwatch.sitesrv import SiteServer

BLOG = Path(__file__).parent / "fixtures" / "blog"
THEME = BLOG / "theme"
ROUTES = frozenset({"index", "feed", "sitemap"})
SITE_NAME = "Boston Testosterone Partners"


@dataclass(frozen=True)
class Post:
    """One post of the fixture blog (an entry of posts.json)."""

    id: int
    slug: str
    path: str
    title: str
    date: str
    category: str
    content: str  # file under tests/fixtures/blog

    def body(self) -> str:
        """The post's content HTML."""
        return (BLOG / self.content).read_text(encoding="utf-8")


def load_posts() -> list[Post]:
    """Every post of posts.json, newest first."""
    entries = json.loads((BLOG / "posts.json").read_text(encoding="utf-8"))
    return [Post(**entry) for entry in entries]


POSTS = load_posts()
SEED_000 = POSTS[1:]  # the four posts of seed 000, newest first
LATER = POSTS[0]  # seed 003's article: published after the blog is first followed


@dataclass
class Blog:
    """What the blog shows; `serve` puts it on a SiteServer (again after any change)."""

    posts: list[Post] = field(default_factory=lambda: list(SEED_000))
    routes: frozenset[str] = ROUTES  # which listings exist: index, feed, sitemap
    per_page: int = 2
    feed_posts: list[Post] | None = None  # what the feeds list (default: every post)
    moved: dict[str, str] = field(default_factory=dict)  # old path -> new path (301)

    def serve(self, site: SiteServer) -> None:
        """Set every route of the blog on `site` (routes it no longer has answer 404)."""
        base = site.base_url
        for old, new in self.moved.items():
            site.set(old, status=301, headers={"Location": base + new}, validators=False)
        for post in self.posts:
            page = _post_page(post, base, self)
            site.set(post.path, body=page)
            site.set(post.path + "amp/", body=page)  # an AMP copy: canonical to the post
            site.set(f"/?p={post.id}", status=301, headers={"Location": base + post.path})
        pages = _chunks(self.posts, self.per_page) if "index" in self.routes else [[]]
        for number, posts in enumerate(pages, start=1):
            site.set(_page_path(number), body=_index_page(posts, number, len(pages), base, self))
        if "feed" in self.routes:
            listed = self.feed_posts if self.feed_posts is not None else self.posts
            site.set("/feed/", body=_rss(listed, base), content_type="application/rss+xml")
            site.set("/feed/atom/", body=_atom(listed, base), content_type="application/atom+xml")
        else:
            site.remove("/feed/")
            site.remove("/feed/atom/")
        robots = "User-agent: *\nDisallow: /wp-admin/\n"
        if "sitemap" in self.routes:
            robots += f"Sitemap: {base}/sitemap_index.xml\n"
            self._serve_sitemaps(site, base)
        else:
            site.remove("/sitemap_index.xml")
        site.set("/robots.txt", body=robots.encode(), content_type="text/plain")

    def _serve_sitemaps(self, site: SiteServer, base: str) -> None:
        children = []
        # Oldest first, as WordPress does: a new post lands in the last child sitemap.
        for number, posts in enumerate(_chunks(self.posts[::-1], 2), start=1):
            path = f"/sitemap-posts-{number}.xml.gz"
            xml = _urlset([(base + p.path, p.date) for p in posts])
            site.set(path, body=gzip.compress(xml, mtime=0), content_type="application/x-gzip")
            children.append((base + path, max(p.date for p in posts)))
        site.set("/sitemap-pages.xml", body=_urlset([(base + "/", "")]), content_type="text/xml")
        children.append((base + "/sitemap-pages.xml", ""))
        entries = "".join(
            f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "")
            + "</sitemap>\n"
            for loc, mod in children
        )  # fmt: skip
        index = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n"
        )
        site.set("/sitemap_index.xml", body=index.encode(), content_type="application/xml")


def _chunks(posts: list[Post], size: int) -> list[list[Post]]:
    return [posts[i : i + size] for i in range(0, len(posts), size)] or [[]]


def _page_path(number: int) -> str:
    return "/" if number == 1 else f"/page/{number}/"


def _fill(template: str, **values: str) -> str:
    text = (THEME / template).read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def _feed_links(base: str, blog: Blog) -> str:
    if "feed" not in blog.routes:
        return ""
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
        f'href="{base}/feed/">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Comments '
        f'Feed" href="{base}/comments/feed/">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} &raquo; Atom" '
        f'href="{base}/feed/atom/">'
    )


def _recent(posts: list[Post], base: str) -> str:
    return "\n".join(
        f'\t\t\t\t\t<li><a href="{base}{p.path}">{escape(p.title)}</a></li>' for p in posts[:5]
    )


def _index_page(posts: list[Post], number: int, pages: int, base: str, blog: Blog) -> bytes:
    articles = []
    for position, post in enumerate(posts):
        link = base + post.path
        if number == 1 and position == 0:
            link += "?utm_source=home&utm_medium=blog"  # a tracking-parameter variant
        elif number == 2 and position == 0:
            link += "amp/"  # the AMP copy, whose canonical is the post
        articles.append(
            _fill(
                "index-post.html",
                id=str(post.id),
                link=link,
                title=escape(post.title),
                category=post.category,
                date=post.date,
                content=post.body(),
                base=base,
            )
        )
    head = [_feed_links(base, blog)]
    nav = []
    if number < pages:
        head.append(f'<link rel="next" href="{base}{_page_path(number + 1)}">')
        nav.append(
            f'<div class="nav-previous"><a href="{base}{_page_path(number + 1)}">'
            '<span class="meta-nav">&larr;</span> Older posts</a></div>'
        )
    if number > 1:
        head.append(f'<link rel="prev" href="{base}{_page_path(number - 1)}">')
        nav.append(
            f'<div class="nav-next"><a href="{base}{_page_path(number - 1)}">'
            'Newer posts <span class="meta-nav">&rarr;</span></a></div>'
        )
    pagination = (
        '\t\t\t<nav id="nav-below" class="navigation" role="navigation">\n'
        '\t\t\t\t<h3 class="assistive-text">Post navigation</h3>\n\t\t\t\t'
        + "\n\t\t\t\t".join(nav)
        + "\n\t\t\t</nav><!-- #nav-below -->"
        if nav
        else ""
    )
    title = SITE_NAME if number == 1 else f"{SITE_NAME} | Page {number}"
    return _fill(
        "index.html",
        page_title=title,
        canonical=base + _page_path(number),
        head_links="\n".join(h for h in head if h),
        body_class="home blog" if number == 1 else f"blog paged paged-{number}",
        articles="\n".join(articles),
        pagination=pagination,
        recent=_recent(blog.posts, base),
        base=base,
    ).encode()


def _post_page(post: Post, base: str, blog: Blog) -> bytes:
    return _fill(
        "post.html",
        id=str(post.id),
        title=escape(post.title),
        canonical=base + post.path,
        head_links=_feed_links(base, blog),
        category=post.category,
        date=post.date,
        content=post.body(),
        recent=_recent(blog.posts, base),
        base=base,
    ).encode()


def _rss(posts: list[Post], base: str) -> bytes:
    items = "".join(
        f"<item><title>{escape(p.title)}</title>"
        f"<link>{base}{p.path}?utm_source=rss&amp;utm_medium=feed</link>"
        f'<guid isPermaLink="false">{base}/?p={p.id}</guid>'
        f"<pubDate>{format_datetime(datetime.fromisoformat(p.date))}</pubDate>"
        f"<category>{p.category}</category>"
        f"<description>{escape(p.title)}</description></item>\n"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{SITE_NAME}</title><link>{base}/</link>"
        "<description>Bio-identical hormone and testosterone replacement therapy</description>\n"
        f"{items}</channel>\n</rss>\n"
    ).encode()


def _atom(posts: list[Post], base: str) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(p.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{base}/?p={p.id}"/>'
        f'<link rel="replies" type="text/html" href="{base}{p.path}#comments"/>'
        f"<id>{base}/?p={p.id}</id><updated>{p.date}</updated><published>{p.date}</published>"
        f"<author><name>BTP Staff</name></author></entry>\n"
        for p in posts
    )
    updated = max((p.date for p in posts), default="2014-01-01T00:00:00+00:00")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>{SITE_NAME}</title><id>{base}/feed/atom/</id><updated>{updated}</updated>\n"
        f'<link rel="self" href="{base}/feed/atom/"/>\n{entries}</feed>\n'
    ).encode()


def _urlset(entries: list[tuple[str, str]]) -> bytes:
    urls = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>\n"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()
