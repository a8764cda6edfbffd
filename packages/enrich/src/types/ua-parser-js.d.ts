// Minimal typings for ua-parser-js 1.x (MIT). Version 2 is AGPL-3.0 and must not be used: the
// dependency is pinned to an exact 1.0.x version.
declare module 'ua-parser-js' {
  interface UAParserBrowser {
    name?: string;
    version?: string;
    major?: string;
  }
  interface UAParserOS {
    name?: string;
    version?: string;
  }
  interface UAParserDevice {
    vendor?: string;
    model?: string;
    type?: string;
  }
  class UAParser {
    constructor(ua?: string);
    setUA(ua: string): this;
    getBrowser(): UAParserBrowser;
    getOS(): UAParserOS;
    getDevice(): UAParserDevice;
  }
  export default UAParser;
}
