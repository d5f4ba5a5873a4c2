import ts from 'typescript';

/**
 * What in a JavaScript file is newer than ES2017 (or not allowed in a
 * mini-game at all: dynamic import, import.meta, eval, new Function),
 * found with TypeScript's parser. One line per finding, with its offset;
 * empty when the file runs on an ES2017 engine (syntax only: built-ins such
 * as Object.fromEntries are not checked).
 */
export function syntaxBeyondEs2017(source: string, fileName = 'file.js'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => found.push(`${what} at ${node.getStart(file)}: ${node.getText(file).slice(0, 40)}`);
  const visit = (node: ts.Node): void => {
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) && node.questionDotToken) {
      report(node, 'optional chaining (ES2020)');
    }
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      if (operator === ts.SyntaxKind.QuestionQuestionToken) report(node, '?? (ES2020)');
      if (
        operator === ts.SyntaxKind.QuestionQuestionEqualsToken ||
        operator === ts.SyntaxKind.BarBarEqualsToken ||
        operator === ts.SyntaxKind.AmpersandAmpersandEqualsToken
      ) {
        report(node, 'logical assignment (ES2021)');
      }
    }
    if (ts.isSpreadAssignment(node)) report(node, 'object spread (ES2018)');
    if (ts.isBindingElement(node) && node.dotDotDotToken && ts.isObjectBindingPattern(node.parent)) report(node, 'object rest (ES2018)');
    if (ts.isForOfStatement(node) && node.awaitModifier) report(node, 'for await (ES2018)');
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.asteriskToken) {
      if (node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword)) report(node, 'async generator (ES2018)');
    }
    if (ts.isCatchClause(node) && !node.variableDeclaration) report(node, 'catch without a binding (ES2019)');
    if (ts.isPropertyDeclaration(node) || ts.isClassStaticBlockDeclaration(node)) report(node, 'class field or static block (ES2022)');
    if (ts.isPrivateIdentifier(node)) report(node, 'private name (ES2022)');
    if (ts.isBigIntLiteral(node)) report(node, 'BigInt literal (ES2020)');
    if (ts.isNumericLiteral(node) && node.getText(file).includes('_')) report(node, 'numeric separator (ES2021)');
    if (ts.isRegularExpressionLiteral(node)) {
      const text = node.getText(file);
      const flags = text.slice(text.lastIndexOf('/') + 1);
      if (/[sdv]/.test(flags) || /\(\?<[=!]|\(\?<[A-Za-z_$]/.test(text)) report(node, 'regular expression feature (ES2018+)');
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) report(node, 'dynamic import');
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) report(node, 'import.meta');
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'eval') report(node, 'eval');
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') report(node, 'new Function');
    ts.forEachChild(node, visit);
  };
  visit(file);
  const diagnostics = (file as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const diagnostic of diagnostics) found.push(`syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  return found;
}
