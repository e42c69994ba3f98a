// The dependency `greeting` of the node-package fixture (installed as node_modules/greeting/index.js).
exports.greet = (name) => `hello, ${name}`;
