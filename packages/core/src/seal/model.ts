/** The decoded shapes of GB/T 38540-2020 / GM/T 0031 electronic seals and seal signatures, one type per structure. @module */

/**
 * Seal format family, told apart by structure (GB/T 38540 section 6.1, GM/T 0031-2014/2025):
 * 1 = GM/T 0031-2014 (header version 1 to 3 in the wild), 4 = GB/T 38540-2020,
 * 5 = GM/T 0031-2025 (V4 plus an optional seal time-stamp).
 */
export type SealVersion = 1 | 4 | 5;

/** `SES_Header`: `ID` is always "ES"; `Vid` names the vendor. */
export interface SesHeader {
  readonly id: string;
  readonly version: number;
  readonly vendorId: string;
}

/** `CertDigestObj`: a digest of a certificate allowed to use the seal (hash named by `type`). */
export interface SesCertDigest {
  readonly type: string;
  readonly value: Uint8Array;
}

/** `SES_CertList`: who may use the seal, as certificates (`certListType` 1) or digests (2). */
export type SesCertList =
  | { readonly type: 'certificates'; readonly certificates: readonly Uint8Array[] }
  | { readonly type: 'digests'; readonly digests: readonly SesCertDigest[] };

/** `SES_ESPropertyInfo`: the seal's type, name, holders and dates. */
export interface SesPropertyInfo {
  /** Seal type code (see `sealTypes`; real seals also use other small numbers). */
  readonly type: number;
  readonly name: string;
  readonly certList: SesCertList;
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
}

/** `SES_ESPictrueInfo` (sic): the seal image and its display size in millimetres. */
export interface SesPictureInfo {
  /** As written: "PNG", "png", "JPG", "GIF", "BMP", "SVG", "ofd"... compare case-insensitively. */
  readonly type: string;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** `ExtData`: a vendor extension. */
export interface SesExtData {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** `SES_SealInfo`: everything the seal maker signs. */
export interface SesSealInfo {
  readonly header: SesHeader;
  /** The seal identifier 印章标识 (see `sealIdFormat`). */
  readonly esID: string;
  readonly property: SesPropertyInfo;
  readonly picture: SesPictureInfo;
  readonly extDatas: readonly SesExtData[] | undefined;
  /** The SES_SealInfo element exactly as received. */
  readonly der: Uint8Array;
}

/** A decoded electronic seal (`SES_Seal` / `SESeal`) of any version, with the raw bytes that were signed. */
export interface SesSeal {
  /** Format family (by structure, not by the header's number). */
  readonly version: SealVersion;
  readonly sealInfo: SesSealInfo;
  /** The seal maker's (制章者) DER certificate. */
  readonly makerCertificate: Uint8Array;
  /** The maker's signature algorithm OID (1.2.156.10197.1.501 for SM2-with-SM3). */
  readonly signatureAlgorithm: string;
  /** The maker's signature value (the BIT STRING contents: DER `SEQUENCE { r, s }` for SM2). */
  readonly signatureValue: Uint8Array;
  /** V5 only: the time-stamp over the signature value (DER, as received). */
  readonly timeStamp: Uint8Array | undefined;
  /**
   * Exactly the bytes the maker signed: the SES_SealInfo element (V4, V5), or for V1 the DER
   * `SEQUENCE { SES_SealInfo, cert, signatureAlgorithm }` built from the received elements.
   */
  readonly toBeSigned: Uint8Array;
  /** The whole seal exactly as received. */
  readonly der: Uint8Array;
  /** Each encoding that is BER but not DER (empty for a strict DER seal). */
  readonly nonDer: readonly string[];
}

/** `TBS_Sign`: what the signer (签章者) signs. */
export interface TbsSign {
  readonly version: number;
  readonly seal: SesSeal;
  /**
   * The signing time claimed by the signer. V1 writes `timeInfo` as a BIT STRING holding a time or
   * a time-stamp token; when it holds no readable time this is undefined.
   */
  readonly signingTime: Date | undefined;
  /** `timeInfo` as received (the GeneralizedTime element, or the V1 BIT STRING contents). */
  readonly timeInfo: Uint8Array;
  /** Hash of the protected data (for OFD: SM3 of Signature.xml). */
  readonly dataHash: Uint8Array;
  /** The protected data's description (for OFD: the Signature.xml path). */
  readonly propertyInfo: string;
  /** V1 only: the signer certificate inside the signed part. */
  readonly certificate: Uint8Array | undefined;
  /** V1 only: the signature algorithm OID inside the signed part. */
  readonly signatureAlgorithm: string | undefined;
  readonly extDatas: readonly SesExtData[] | undefined;
  /** The TBS_Sign element exactly as received: the signed bytes. */
  readonly der: Uint8Array;
}

/** A decoded seal signature (`SES_Signature`, 电子签章) of any version. */
export interface SesSignature {
  readonly version: SealVersion;
  readonly toSign: TbsSign;
  /** The signer's DER certificate (V1: from TBS_Sign). */
  readonly signerCertificate: Uint8Array;
  /** The signer's signature algorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signature over `toSign.der` (DER `SEQUENCE { r, s }` for SM2). */
  readonly signatureValue: Uint8Array;
  /** V4/V5: the time-stamp over the signature value (DER, as received). */
  readonly timeStamp: Uint8Array | undefined;
  /** The whole SES_Signature exactly as received. */
  readonly der: Uint8Array;
  /** Each encoding that is BER but not DER, in the signature and its seal. */
  readonly nonDer: readonly string[];
}
