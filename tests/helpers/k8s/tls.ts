import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** A self-signed certificate for 127.0.0.1 and its key (PEM). */
export interface Certificate {
  cert: string;
  key: string;
}

/**
 * Makes a self-signed certificate for 127.0.0.1/localhost with openssl in `dir`: the stand-in serves
 * HTTPS with it and the kubeconfig carries it as `certificate-authority-data`, as a cluster's does
 * (so clients take their ordinary TLS path, not `insecure-skip-tls-verify`).
 */
export async function selfSignedCertificate(dir: string): Promise<Certificate> {
  const key = join(dir, "standin.key");
  const cert = join(dir, "standin.crt");
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"];
  args.push("-subj", "/CN=k8s-standin", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert);
  await new Promise<void>((done, fail) =>
    execFile("openssl", args, (error, _stdout, stderr) =>
      error ? fail(new Error(`openssl could not make the stand-in's certificate: ${stderr || error.message}`)) : done(),
    ),
  );
  return { cert: await readFile(cert, "utf8"), key: await readFile(key, "utf8") };
}
