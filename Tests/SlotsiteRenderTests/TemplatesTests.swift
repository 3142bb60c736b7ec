import Testing
@testable import SlotsiteRender

/// Hand-written cases, so a clone without the shared spec files still tests the renderer.
struct TemplatesTests {
    func render(_ template: String, _ data: MustacheValue, partials: [String: String] = [:]) throws -> String {
        var sources = partials
        sources["main"] = template
        return try Templates(sources: sources).render("main", data)
    }

    @Test func escapesByDefault() throws {
        #expect(try render("{{x}}|{{{x}}}|{{& x}}", ["x": "<a href='x'>&\"</a>"])
            == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;|<a href='x'>&\"</a>|<a href='x'>&\"</a>")
    }

    @Test func sectionsListsAndInversion() throws {
        let data: MustacheValue = ["items": [["n": 1], ["n": 2]], "none": [], "flag": false, "who": ["name": "Ada"]]
        #expect(try render("{{#items}}<{{n}}>{{/items}}{{^none}}empty{{/none}}{{#flag}}no{{/flag}}{{who.name}}", data)
            == "<1><2>emptyAda")
    }

    /// A list's body finds names its items lack in the contexts below once per list:
    /// an item that has the name still wins, item by item, and nested lists and
    /// sections see their own items first.
    @Test func namesInsideListsResolveItemByItem() throws {
        let data: MustacheValue = [
            "name": "outer", "site": ["x": "below"],
            "items": [["name": "a"], [:], ["name": "c", "site": ["x": "mine"]], ["site": ["y": "no x"]], [:]],
            "rows": [["cells": [["v": 1], ["v": 2, "name": "cell"]]], ["name": "row", "cells": [[:]]]],
        ]
        #expect(try render("{{#items}}{{name}}:{{site.x}};{{/items}}", data)
            == "a:below;outer:below;c:mine;outer:;outer:below;")
        #expect(try render("{{#rows}}[{{#cells}}{{name}}{{v}} {{/cells}}]{{/rows}}", data)
            == "[outer1 cell2 ][row ]")
        #expect(try render("{{#items}}{{#site}}{{x}}{{/site}}{{^site}}-{{/site}}|{{/items}}", data)
            == "below|below|mine||below|")
    }

    /// The same with typed contexts as items, which the renderer asks in place: an item
    /// that answers a name wins, and what the levels below give is written once per
    /// run of a list and copied for the items after, escaped or not as each tag asks.
    @Test func contextItemsResolveItemByItem() throws {
        struct Item: MustacheContext {
            let fields: [String: MustacheValue]
            func value(forKey key: String) -> MustacheValue? { fields[key] }
        }
        func item(_ fields: [String: MustacheValue]) -> MustacheValue { .context(Item(fields: fields)) }
        let data: MustacheValue = [
            "name": "outer", "site": ["x": "<b>"],
            "items": .list([item(["name": "a"]), item([:]), item(["name": "c", "site": ["x": "mine"]]), ["name": "obj"],
                            item(["site": ["y": "no x"]]), item([:])]),
            "rows": .list([item(["cells": .list([item(["v": 1]), item(["v": 2, "name": "cell"])])]),
                           item(["name": "row", "cells": .list([item([:])])])]),
        ]
        #expect(try render("{{#items}}{{name}}:{{site.x}}{{{site.x}}};{{/items}}", data)
            == "a:&lt;b&gt;<b>;outer:&lt;b&gt;<b>;c:minemine;obj:&lt;b&gt;<b>;outer:;outer:&lt;b&gt;<b>;")
        #expect(try render("{{#rows}}[{{#cells}}{{name}}{{v}}{{site.x}} {{/cells}}]{{/rows}}", data)
            == "[outer1&lt;b&gt; cell2&lt;b&gt; ][row&lt;b&gt; ]")
    }

    @Test func standaloneLinesVanish() throws {
        #expect(try render("<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n", ["items": ["a", "b"]])
            == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
    }

    @Test func layoutsThroughInheritance() throws {
        let layout = "<title>{{$title}}Site{{/title}}</title>\n<main>\n  {{$main}}{{/main}}\n</main>\n"
        let page = "{{<layout}}\n{{$title}}{{name}}{{/title}}\n{{$main}}\n<h1>{{name}}</h1>\n<p>x</p>\n{{/main}}\n{{/layout}}\n"
        #expect(try render(page, ["name": "A&B"], partials: ["layout": layout])
            == "<title>A&amp;B</title>\n<main>\n  <h1>A&amp;B</h1>\n  <p>x</p>\n\n</main>\n")
    }

    @Test func typedContextsNeedNoDictionaries() throws {
        struct Person: MustacheContext {
            let name: String
            func value(forKey key: String) -> MustacheValue? { key == "name" ? .string(name) : nil }
        }
        #expect(try render("{{#people}}{{name}};{{/people}}", ["people": .list([.context(Person(name: "x<y")), .context(Person(name: "z"))])])
            == "x&lt;y;z;")
    }

    @Test func parseErrorsNameTemplateAndLine() {
        #expect { try render("a\n{{#open}}\nb", [:]) } throws: { ($0 as? RenderError)?.line == 2 }
        #expect { try render("a\nb\n{{/x}}", [:]) } throws: { ($0 as? RenderError)?.reason == .unexpectedClose }
        #expect { try render("{{unclosed", [:]) } throws: { ($0 as? RenderError)?.reason == .unclosedTag }
        #expect { try render("{{=a=}}", [:]) } throws: { ($0 as? RenderError)?.reason == .badDelimiters }
    }

    @Test func runawayRecursionIsAnError() {
        #expect(throws: RenderError.self) { try render("{{>main}}", [:]) }
        // Found by scripts/fuzz: an override that contains its own block recursed without bound.
        #expect(throws: RenderError.self) { try render("{{<layout}}{{$main}}{{$main}}x{{/main}}{{/main}}{{/layout}}", [:], partials: ["layout": "[{{$main}}{{/main}}]"]) }
        #expect(throws: RenderError.self) { try render("{{<main}}{{/main}}", [:]) }
    }
}
