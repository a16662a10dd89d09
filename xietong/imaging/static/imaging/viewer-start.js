/* The OHIF viewer's start (docs/adr/0023-viewer.md): builds OHIF's window.config from what
   /viewer/app-config.js said of this server and user, before OHIF's own script runs.

   - One data source, our DICOMweb, with the session's cookie. Our DICOMweb asks unsafe
     requests of a session (STOW-RS: a report saved in the viewer) for the CSRF token, which
     OHIF does not send: requests to our own server that change something carry it here.
   - Our name and logo in OHIF's header, as a link back to the page of ours the viewer was
     opened from (kept for the tab, so that moving around in the viewer keeps it). */
(function () {
  "use strict";
  var xt = window.xietongViewer;
  var BACK_KEY = "xt-viewer-back";

  // OHIF loads its chunks and codecs from here, and imports its extensions through this.
  window.PUBLIC_URL = xt.base;
  window.browserImportFunction = function (name) {
    return import(name);
  };

  function ours(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function unsafe(method) {
    return !/^(GET|HEAD|OPTIONS|TRACE)$/i.test(method || "GET");
  }

  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.xtNeedsToken = unsafe(method) && ours(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.xtNeedsToken) {
      var token = cookie(xt.csrfCookie);
      if (token) this.setRequestHeader(xt.csrfHeader, token);
    }
    return send.apply(this, arguments);
  };
  var fetchOriginal = window.fetch;
  window.fetch = function (input, init) {
    var request = new Request(input, init);
    if (unsafe(request.method) && ours(request.url) && !request.headers.has(xt.csrfHeader)) {
      var token = cookie(xt.csrfCookie);
      if (token) request.headers.set(xt.csrfHeader, token);
    }
    return fetchOriginal.call(window, request);
  };

  // The page the viewer was opened from: one of ours, not the viewer itself.
  try {
    var from = new URL(document.referrer);
    if (from.origin === window.location.origin && from.pathname.indexOf(xt.base) !== 0) {
      window.sessionStorage.setItem(BACK_KEY, from.pathname + from.search + from.hash);
    }
  } catch (e) {
    // no referrer (typed or bookmarked): home
  }
  var back = window.sessionStorage.getItem(BACK_KEY) || xt.home;

  // OHIF's first-visit tour (English, over the image) is taken as seen: our users open the
  // viewer from a study to read it.
  try {
    var shown = JSON.parse(window.localStorage.getItem("shownTours") || "[]");
    if (shown.indexOf("basicViewerTour") < 0) {
      shown.push("basicViewerTour");
      window.localStorage.setItem("shownTours", JSON.stringify(shown));
    }
  } catch (e) {
    // storage refused: the tour shows
  }

  function logo(React) {
    // On a phone OHIF's toolbar, centred in the header, runs over the left of it: the link
    // is then the logo alone, kept above the toolbar by imaging/viewer.css.
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    return React.createElement(
      "a",
      {
        href: back,
        title: xt.back,
        "aria-label": xt.back + " · " + xt.name,
        "data-xt-back": "",
        className: "flex items-center gap-2 text-white no-underline",
        onClick: function (event) {
          // OHIF's header goes to its study list when clicked; we go back to our page.
          event.stopPropagation();
        },
      },
      React.createElement("img", { src: xt.logo, alt: "", width: 24, height: 24 }),
      narrow ? null : React.createElement("span", { className: "whitespace-nowrap text-base" }, xt.name)
    );
  }

  // On a phone OHIF opens with its series list over most of the screen, the image squeezed
  // beside it: there the list starts closed (its button in the header opens it again), so
  // the image is what the reader sees first.
  if (window.matchMedia("(max-width: 640px)").matches) {
    var tries = 0;
    var closing = window.setInterval(function () {
      var close = document.querySelector("[data-cy=side-panel-header-left]");
      var shown = document.querySelector(".cornerstone-canvas");
      tries += 1;
      if ((close && shown) || tries > 150) {
        window.clearInterval(closing);
        if (close && shown) close.click();
      }
    }, 200);
  }

  window.config = {
    routerBasename: xt.base.replace(/\/$/, ""),
    extensions: [],
    modes: [],
    customizationService: {},
    // The studies are listed on our pages; the viewer opens the ones a link names.
    showStudyList: false,
    maxNumberOfWebWorkers: 2,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: true,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    groupEnabledModesFirst: true,
    investigationalUseDialog: { option: "never" },
    maxNumRequests: { interaction: 100, thumbnail: 5, prefetch: 10 },
    showErrorDetails: "dev",
    whiteLabeling: { createLogoComponentFn: logo },
    defaultDataSourceName: "xietong",
    dataSources: [
      {
        namespace: "@ohif/extension-default.dataSourcesModule.dicomweb",
        sourceName: "xietong",
        configuration: {
          friendlyName: xt.name,
          name: "xietong",
          qidoRoot: xt.dicomweb,
          wadoRoot: xt.dicomweb,
          wadoUriRoot: xt.dicomweb,
          qidoSupportsIncludeField: true,
          imageRendering: "wadors",
          thumbnailRendering: "wadors",
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          supportsReject: false,
          supportsStow: true,
          dicomUploadEnabled: false,
          omitQuotationForMultipartRequest: true,
          bulkDataURI: { enabled: true },
        },
      },
    ],
  };

  // OHIF's Chinese lacks the measurement panel's and some dialogs' words (viewer-zh.js).
  // They go through OHIF's own i18n (@ohif/i18n's addLocales, which extensions use), reached
  // as a module of the pinned build when its first chunk registers: 90119 is that module in
  // @ohif/app 3.13.2. Another build without it keeps OHIF's own words, and the browser test
  // of the viewer's Chinese says so.
  var OHIF_I18N_MODULE = 90119;
  var chunks = (window.rspackChunk = window.rspackChunk || []);
  chunks.push([
    ["xt-viewer-locales"],
    {},
    function (require) {
      try {
        var i18n = require(OHIF_I18N_MODULE).A;
        if (i18n && typeof i18n.addLocales === "function" && window.xietongViewerLocales) {
          i18n.addLocales(window.xietongViewerLocales);
        }
      } catch (e) {
        // not this build's module: OHIF's own words stay
      }
    },
  ]);
})();
